import { AppProcess, freePort } from '../../support/app-process';

/**
 * Dispatcher settings that keep a fault test short: quick timeouts and retries, and a crashed member's
 * partitions move after 10 s instead of 30 s. Configuration only; no test-only code paths.
 */
export const FAST_DISPATCHER_ENV: Record<string, string> = {
  ALLOW_PRIVATE_TARGETS: 'true',
  DELIVERY_CONNECT_TIMEOUT: '1s',
  DELIVERY_TIMEOUT: '2s',
  RETRY_SCHEDULE: '500ms,1s',
  RETRY_JITTER: '0',
  RETRY_THROTTLED_MIN_DELAY: '1s',
  RETRY_AFTER_MAX: '3s',
  KAFKA_SESSION_TIMEOUT: '10s',
};

/** The API accepts http:// webhooks on loopback and does not rate-limit a load generator. */
export const LOAD_API_ENV: Record<string, string> = {
  ALLOW_HTTP_WEBHOOKS: 'true',
  RATE_LIMIT_PER_MINUTE: '1000000',
  RATE_LIMIT_INGEST_PER_MINUTE: '1000000',
  KAFKA_SESSION_TIMEOUT: '10s',
};

/** Every process a test started, so afterAll can kill whatever a failed test left running. */
export class AppFleet {
  private readonly running: AppProcess[] = [];

  async start(app: 'api' | 'dispatcher', env: Record<string, string>, label: string): Promise<AppProcess> {
    const process = new AppProcess(app, await freePort(), env, label);
    this.running.push(process);
    return process.start();
  }

  async killAll(): Promise<void> {
    await Promise.all(this.running.splice(0).map((process) => process.kill()));
  }
}

export interface ApiAnswer {
  status: number;
  body: { data?: any; message?: string }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A tenant's view of the API over HTTP, with its bearer token. */
export class ApiClient {
  constructor(
    private readonly port: number,
    private readonly token: string,
  ) {}

  async call(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<ApiAnswer> {
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: ApiAnswer['body'] = {};
    try {
      parsed = JSON.parse(text) as ApiAnswer['body'];
    } catch {
      parsed = { message: text };
    }
    return { status: response.status, body: parsed };
  }

  async createWebhook(url: string): Promise<string> {
    const created = await this.call('POST', '/v1/webhooks', { url });
    if (created.status !== 201) throw new Error(`POST /v1/webhooks answered ${created.status}`);
    return created.body.data.webhookId as string;
  }
}

/** Whether a started app process is still running (it did not crash or exit on its own). */
export function isRunning(app: { pid?: number }): boolean {
  if (app.pid === undefined) return false;
  try {
    process.kill(app.pid, 0);
    return true;
  } catch {
    return false;
  }
}
