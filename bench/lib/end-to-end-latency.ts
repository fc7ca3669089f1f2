import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'undici';
import { ConsumerGroup, KafkaTopic } from '@app/contracts';
import { createToken } from './api-throughput';
import { BenchApp, freePort, sleep, waitUntil } from './app-process';
import { BenchDatabase } from './bench-database';
import { BenchKafka } from './kafka-admin';
import { BenchReceiver } from './receiver';

export interface EndToEndOptions {
  kafkaBrokers: string;
  mongoUri: string;
  receiver: BenchReceiver;
  /** Open-loop request rates, req/s. */
  rates: number[];
  seconds: number;
  webhooks: number;
  logDir: string;
  env?: Record<string, string>;
  /** Move the idle consumer groups past earlier runs' leftovers (default); off on a shared test stack. */
  skipBacklog?: boolean;
}

export interface EndToEndRun {
  rate: number;
  /** The rate actually achieved by the sender (requests ÷ sending time). */
  sentPerSec: number;
  sent: number;
  accepted: number;
  /** Accepted retries whose POST reached the receiver before the drain deadline. */
  arrived: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The API's own answer time, for comparison with the full path. */
  apiP50Ms: number;
  apiP99Ms: number;
}

/** Longest wait, after the last request, for its POST to arrive. */
const DRAIN_MS = 60_000;
/** How often the open-loop sender wakes up to send what is due. */
const TICK_MS = 2;

/**
 * (4) End to end: retry requests sent at a fixed rate whatever the answers (open loop, so a slow
 * system queues instead of slowing the sender down), each for a different event and naming its one
 * webhook (`{"webhookId"}`, so a request is one delivery), timed from the moment
 * the request leaves the client to the first POST with that event's webhook-id at the receiver. One API
 * and one dispatcher, both built (dist/), on the bench stack.
 */
export async function measureEndToEnd(options: EndToEndOptions): Promise<EndToEndRun[]> {
  const runKey = `e2e-${randomUUID().slice(0, 8)}`;
  const clientId = `bench-${runKey}`;
  const tenantId = `bench-${runKey}`;
  const totalRequests = options.rates.reduce((sum, rate) => sum + rate * options.seconds, 0);
  const warmUp = 50;
  const db = await BenchDatabase.connect(options.mongoUri);
  const kafka = new BenchKafka(options.kafkaBrokers);
  const apps: BenchApp[] = [];
  let api: Pool | undefined;
  try {
    const webhooks = await db.createWebhooks(
      tenantId,
      Array.from({ length: options.webhooks }, (_, index) => options.receiver.url(runKey, index)),
    );
    const events = await db.createEvents(tenantId, warmUp + totalRequests, webhooks);
    const token = createToken(options.mongoUri, tenantId);
    if (options.skipBacklog ?? true) {
      await kafka.skipBacklog(ConsumerGroup.Dispatcher, KafkaTopic.DeliveryCommands);
      await kafka.skipBacklog(ConsumerGroup.LogWriter, KafkaTopic.DeliveryLogs);
    }

    const common = {
      NODE_ENV: 'production',
      KAFKA_BROKERS: options.kafkaBrokers,
      KAFKA_CLIENT_ID: clientId,
      MONGODB_URI: options.mongoUri,
      ...options.env,
    };
    const apiPort = await freePort();
    apps.push(
      new BenchApp(
        'api',
        apiPort,
        {
          ...common,
          RATE_LIMIT_PER_MINUTE: '100000000',
          RATE_LIMIT_INGEST_PER_MINUTE: '100000000',
          ALLOW_HTTP_WEBHOOKS: 'true',
        },
        join(options.logDir, `api-${runKey}.log`),
      ),
      new BenchApp(
        'dispatcher',
        await freePort(),
        { ...common, ALLOW_PRIVATE_TARGETS: 'true' },
        join(options.logDir, `dispatcher-${runKey}.log`),
      ),
    );
    await Promise.all(apps.map((app) => app.start()));
    await waitUntil(
      'the dispatcher to join both consumer groups',
      async () =>
        (await kafka.groupIsStable(ConsumerGroup.Dispatcher, clientId, 1)) &&
        (await kafka.groupIsStable(ConsumerGroup.LogWriter, clientId, 1)),
      90_000,
      250,
    );
    const client = (api = new Pool(`http://127.0.0.1:${apiPort}`, { connections: 512 }));
    // Each event was planned for one webhook (createEvents); the retry names it, so one request is one delivery.
    const webhookOf = new Map(events.map((event, index) => [event._id, webhooks[index % webhooks.length]._id]));
    const retry = async (eventId: string): Promise<number> => {
      const response = await client.request({
        method: 'POST',
        path: `/v1/webhooks/events/${eventId}/retry`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ webhookId: webhookOf.get(eventId) }),
      });
      await response.body.dump();
      return response.statusCode;
    };

    // Warm-up: connections, JIT and the first Kafka round trips stay out of the figures.
    const warmIds = events.slice(0, warmUp).map(({ _id }) => _id);
    await Promise.all(warmIds.map(retry));
    await waitUntil(
      'the warm-up deliveries',
      async () => (await options.receiver.stats(runKey)).count >= warmUp,
      DRAIN_MS,
    );

    const runs: EndToEndRun[] = [];
    let next = warmUp;
    for (const rate of options.rates) {
      const ids = events.slice(next, next + rate * options.seconds).map(({ _id }) => _id);
      next += ids.length;
      const sentAt = new Map<string, number>();
      const answered: { id: string; status: number; ms: number }[] = [];
      const inFlight: Promise<void>[] = [];
      const started = Date.now();
      let index = 0;
      while (index < ids.length) {
        const due = Math.min(ids.length, Math.floor(((Date.now() - started) * rate) / 1000) + 1);
        for (; index < due; index += 1) {
          const id = ids[index];
          const at = Date.now();
          sentAt.set(id, at);
          inFlight.push(
            retry(id).then(
              (status) => void answered.push({ id, status, ms: Date.now() - at }),
              () => void answered.push({ id, status: 0, ms: Date.now() - at }),
            ),
          );
        }
        await sleep(TICK_MS);
      }
      const sendingMs = Math.max(Date.now() - started, 1);
      await Promise.all(inFlight);
      const accepted = answered.filter(({ status }) => status >= 200 && status < 300).map(({ id }) => id);
      const deadline = Date.now() + DRAIN_MS;
      let arrivals = await options.receiver.firstArrivals(runKey);
      while (accepted.some((id) => !arrivals.has(id)) && Date.now() < deadline) {
        await sleep(250);
        arrivals = await options.receiver.firstArrivals(runKey);
      }
      const latencies = accepted.flatMap((id) => (arrivals.has(id) ? [arrivals.get(id)! - sentAt.get(id)!] : []));
      const apiTimes = answered.map(({ ms }) => ms);
      runs.push({
        rate,
        sentPerSec: (ids.length * 1000) / sendingMs,
        sent: ids.length,
        accepted: accepted.length,
        arrived: latencies.length,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        maxMs: latencies.length ? Math.max(...latencies) : NaN,
        apiP50Ms: percentile(apiTimes, 0.5),
        apiP99Ms: percentile(apiTimes, 0.99),
      });
      // Let the log writer catch up so one rate's backlog does not leak into the next.
      await sleep(2_000);
    }
    return runs;
  } finally {
    await api?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await kafka.close();
    await db.close();
  }
}

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)];
}
