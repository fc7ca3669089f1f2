import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BenchApp, freePort, REPO_ROOT } from './app-process';
import { cpuMs, RssSampler } from './proc-stats';
import { BenchReceiver } from './receiver';

export interface ApiBenchOptions {
  kafkaBrokers: string;
  mongoUri: string;
  receiver: BenchReceiver;
  connections: number[];
  seconds: number;
  logDir: string;
  env?: Record<string, string>;
  /** Processes whose CPU per request is reported alongside the API's (e.g. { ferretdb: pid }). */
  infraPids?: Record<string, number>;
  /** Writes a V8 CPU profile of the API here (BENCH_CPU_PROF=1). */
  cpuProfileDir?: string;
}

export interface RouteResult {
  route: string;
  connections: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** CPU the API process spent per request answered, ms. */
  apiCpuMsPerRequest: number;
  /** The same for each of `infraPids`. */
  infraCpuMsPerRequest: Record<string, number>;
}

export interface ApiBenchResult {
  routes: RouteResult[];
  /** Highest VmRSS of the API process sampled during the load, MiB. */
  peakRssMb: number;
  apiCpuMs: number;
}

/** The routes under test and their baselines. */
export const RETRY_ROUTE = 'POST /v1/webhooks/events/{id}/retry';
/** A new event (no idempotency key) for the one subscribed webhook: one event, one delivery row, one command. */
export const INGEST_ROUTE = 'POST /v1/webhooks/events';
/**
 * Issue 5's baseline for the retry: same auth, throttler, UUID path validation and event read; no webhook
 * read, no delivery rows, no Kafka.
 */
export const BASELINE_ROUTE = 'GET /v1/webhooks/events/{id}';
/** Issue 15's baseline: the same guards (token check, per-token limit) and envelope, answering a constant. */
export const WHOAMI_ROUTE = 'GET /v1/whoami';
/** No auth, no database: the floor of the HTTP stack (Nest + Express + pino-http). */
export const HEALTH_ROUTE = 'GET /health';
/** What each route is divided by in the report, at the same connection count. */
export const ROUTE_BASELINES: { route: string; baseline: string }[] = [
  { route: RETRY_ROUTE, baseline: BASELINE_ROUTE },
  { route: RETRY_ROUTE, baseline: WHOAMI_ROUTE },
  { route: INGEST_ROUTE, baseline: WHOAMI_ROUTE },
];

/**
 * (3) The ingest and retry endpoints under autocannon at fixed concurrency, against the baseline routes,
 * on the built API (dist/apps/api/main.js) with one webhook on the receiver: each request publishes one command.
 * The tenant's rate limits are raised for the bench (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_INGEST_PER_MINUTE) so
 * that it does not answer 429.
 */
export async function measureApi(options: ApiBenchOptions): Promise<ApiBenchResult> {
  const token = createToken(options.mongoUri, `bench-api-${process.pid}`);
  const port = await freePort();
  const api = new BenchApp(
    'api',
    port,
    {
      NODE_ENV: 'production',
      KAFKA_BROKERS: options.kafkaBrokers,
      MONGODB_URI: options.mongoUri,
      ALLOW_HTTP_WEBHOOKS: 'true',
      RATE_LIMIT_PER_MINUTE: '100000000',
      RATE_LIMIT_INGEST_PER_MINUTE: '100000000',
      ...options.env,
    },
    join(options.logDir, `api-${port}.log`),
    options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
  );
  await api.start();
  try {
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { data: Record<string, string> }).data;
    };
    await post('/v1/webhooks', { url: options.receiver.url('api', 'hook') });
    const { eventId } = await post('/v1/webhooks/events', { type: 'bench.api', payload: { amount: 42 } });

    const routes = {
      [INGEST_ROUTE]: {
        url: `${base}/v1/webhooks/events`,
        method: 'POST',
        headers,
        body: JSON.stringify({ type: 'bench.api', payload: { amount: 42, currency: 'EUR', customer: 'cus_42' } }),
      },
      [RETRY_ROUTE]: { url: `${base}/v1/webhooks/events/${eventId}/retry`, method: 'POST', headers, body: '{}' },
      [BASELINE_ROUTE]: { url: `${base}/v1/webhooks/events/${eventId}`, method: 'GET', headers },
      [WHOAMI_ROUTE]: { url: `${base}/v1/whoami`, method: 'GET', headers },
      [HEALTH_ROUTE]: { url: `${base}/health`, method: 'GET' },
    };
    const results: RouteResult[] = [];
    const cpuBefore = cpuMs(api.runningPid);
    const sampler = new RssSampler([api.runningPid]);
    for (const connections of options.connections) {
      for (const [route, request] of Object.entries(routes)) {
        await autocannon({ ...request, connections, duration: 1 }); // warm-up, discarded
        const infra = Object.entries(options.infraPids ?? {});
        const cpuAtStart = { api: cpuMs(api.runningPid), infra: infra.map(([, pid]) => cpuMs(pid)) };
        const result = await autocannon({ ...request, connections, duration: options.seconds });
        const perRequest = (ms: number) => ms / Math.max(1, result.requests.total);
        results.push({
          route,
          connections,
          reqPerSec: result.requests.total / result.duration,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          maxMs: result.latency.max,
          requests: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
          apiCpuMsPerRequest: perRequest(cpuMs(api.runningPid) - cpuAtStart.api),
          infraCpuMsPerRequest: Object.fromEntries(
            infra.map(([name, pid], index) => [name, perRequest(cpuMs(pid) - cpuAtStart.infra[index])]),
          ),
        });
      }
    }
    const peakRssMb = sampler.stop().get(api.runningPid) ?? NaN;
    return { routes: results, peakRssMb, apiCpuMs: cpuMs(api.runningPid) - cpuBefore };
  } finally {
    await api.stop();
  }
}

/** An API token made the way an operator makes one: the CLI, run from source. */
export function createToken(mongoUri: string, tenantId: string): string {
  const output = execFileSync(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(REPO_ROOT, 'apps/api/src/cli.ts'),
      'tokens',
      'create',
      '--tenant',
      tenantId,
    ],
    { cwd: REPO_ROOT, env: { ...process.env, MONGODB_URI: mongoUri }, stdio: ['ignore', 'pipe', 'inherit'] },
  ).toString();
  return output.trim().split('\n').pop()!.trim();
}
