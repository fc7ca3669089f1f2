import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppProcess, freePort } from '../../support/app-process';
import { REPO_ROOT, testKafkaBrokers } from '../../support/infra';

const run = promisify(execFile);

/** What a client sees of one HTTP exchange. */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

export interface ApiCall {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent verbatim as the Authorization header (wins over `token`). */
  authorization?: string;
  body?: unknown;
}

/**
 * The built API (dist/apps/api/main.js) as a real process, logging at `trace` into
 * test/artifacts/logs/<label>-<port>.log, so suites can read exactly what an operator's log would hold.
 */
export class SpawnedApi {
  private constructor(
    readonly process: AppProcess,
    readonly logPath: string,
  ) {}

  static async start(label: string, mongoUri: string, env: Record<string, string> = {}): Promise<SpawnedApi> {
    const port = await freePort();
    const api = new AppProcess(
      'api',
      port,
      {
        KAFKA_BROKERS: testKafkaBrokers(),
        MONGODB_URI: mongoUri,
        ALLOW_HTTP_WEBHOOKS: 'true',
        LOG_LEVEL: 'trace',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        ...env,
      },
      label,
    );
    await api.start();
    return new SpawnedApi(api, appLogPath(label, port));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.process.port}`;
  }

  async call(method: string, path: string, call: ApiCall = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = {};
    if (call.authorization !== undefined) headers.authorization = call.authorization;
    else if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, text, body };
  }

  /** Everything the process has logged so far. */
  log(): string {
    return readFileSync(this.logPath, 'utf8');
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}

/** Where AppProcess writes a spawned app's stdout and stderr. */
export function appLogPath(label: string, port: number): string {
  return join(REPO_ROOT, 'test/artifacts/logs', `${label}-${port}.log`);
}

/**
 * The operator's CLI (`npm run cli -- tokens ...`), run as its own process against the given database,
 * exactly as the README tells operators to run it. Returns its stdout.
 */
export async function runTokenCli(mongoUri: string, args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/api/src/cli.ts', ...args],
    { cwd: REPO_ROOT, env: { ...process.env, MONGODB_URI: mongoUri, NODE_ENV: 'test' }, timeout: 120_000 },
  );
  return stdout;
}

export interface IssuedTenantToken {
  tenantId: string;
  tokenId: string;
  token: string;
}

/** `tokens create` through the CLI: the token is the last line it prints, the id is in the first. */
export async function createTokenWithCli(mongoUri: string, tenantId: string): Promise<IssuedTenantToken> {
  const lines = (await runTokenCli(mongoUri, ['tokens', 'create', '--tenant', tenantId, '--name', 'security-e2e']))
    .trim()
    .split('\n');
  const tokenId = /Created token ([0-9a-f-]{36})/.exec(lines[0])?.[1];
  if (!tokenId) throw new Error(`Unexpected CLI output: ${lines.join('\n')}`);
  return { tenantId, tokenId, token: lines[lines.length - 1].trim() };
}
