import { randomUUID } from 'node:crypto';
import { DeliveryAttemptDocument, WebhookDocument } from '@app/persistence';
import { hang, ReceiverBehaviour, respondWith } from '../support/receiver';
import { waitFor } from '../support/wait-for';
import { ExpectedDelivery } from './support/delivery-audit';
import { FaultHarness } from './support/fault-harness';
import { reportFigures } from './support/figures';

/** Healthy deliveries per phase (alone, then next to the misbehaving receivers). */
const HEALTHY = 40;
/** Deliveries to each misbehaving receiver. */
const PER_BAD_RECEIVER = 8;
const HUGE_BODY_BYTES = 100 * 1024 * 1024;
/** Attempts per failing delivery with FAST_DISPATCHER_ENV's RETRY_SCHEDULE (two retries). */
const ATTEMPTS_PER_FAILURE = 3;

jest.setTimeout(240_000);

/** Answers 200 with a 100 MB body, written as fast as the client reads; records what each answer managed to write. */
const streamHugeBody =
  (answers: { bytes: number }[]): ReceiverBehaviour =>
  (_request, response) => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const written = { bytes: 0 };
    answers.push(written);
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(HUGE_BODY_BYTES) });
    const writeMore = () => {
      while (written.bytes < HUGE_BODY_BYTES && !response.destroyed) {
        written.bytes += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', writeMore);
      }
      if (!response.destroyed) response.end();
    };
    writeMore();
  };

/** Drops the connection with a TCP RST instead of answering. */
const resetConnection: ReceiverBehaviour = (_request, response) => {
  response.socket?.resetAndDestroy();
};

const percentile = (values: number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
};

/**
 * Fault 4: receivers that hang, reset connections, answer 500, 429 with Retry-After, 410, or stream a
 * 100 MB body. Only their own deliveries suffer: a healthy webhook on the same dispatcher (sharing its
 * partitions and its sockets per origin) keeps delivering each event exactly once. Its latency is
 * measured alone and next to the bad receivers and printed; only correctness is asserted.
 */
describe('Fault: misbehaving receivers next to a healthy one', () => {
  const harness = new FaultHarness('faults-receivers');
  const hugeAnswers: { bytes: number }[] = [];

  beforeAll(async () => {
    await harness.setUp();
    const { receiver } = harness;
    receiver.on('/hang', hang);
    receiver.on('/reset', resetConnection);
    receiver.on('/error', respondWith(500, 'internal error'));
    receiver.on('/throttled', respondWith(429, 'slow down', { 'retry-after': '1' }));
    receiver.on('/gone', respondWith(410, 'gone'));
    receiver.on('/huge', streamHugeBody(hugeAnswers));
    await harness.startDispatcher();
  });

  afterAll(() => harness.tearDown());

  /** Latency of each healthy delivery: from the publish to its POST arriving at the receiver. */
  const healthyLatencies = async (tenantId: string, healthy: WebhookDocument, bad: ExpectedDelivery[]) => {
    const events = await harness.db.createEvents(tenantId, 'healthy.test', HEALTHY, [healthy]);
    const deliveries = events.map((event) => ({ eventId: event._id, webhookId: healthy._id }));
    // Bad commands first, so the healthy ones queue behind them on shared partitions.
    const publishedAt = Date.now();
    await harness.publishDeliveryCommands([...bad, ...deliveries]);
    const audit = await harness.audit(deliveries, '/healthy', 150_000);
    const ids = new Set(events.map((event) => event._id));
    const latencies = harness.receiver
      .received('/healthy')
      .filter((request) => ids.has(request.headers['webhook-id'] as string))
      .map((request) => request.receivedAt - publishedAt);
    return { audit, latencies };
  };

  it('delivers the healthy webhook exactly once while each bad receiver fails in its own way', async () => {
    const { db, receiver } = harness;
    const tenantId = `tenant-${randomUUID()}`;
    const healthy = await db.createWebhook(tenantId, receiver.url('/healthy'));
    const badPaths = ['/hang', '/reset', '/error', '/throttled', '/gone', '/huge'];
    const bad = new Map<string, WebhookDocument>();
    for (const path of badPaths) bad.set(path, await db.createWebhook(tenantId, receiver.url(path)));

    const alone = await healthyLatencies(tenantId, healthy, []);

    const badDeliveries: { eventId: string; webhookId: string; path: string }[] = [];
    for (const [path, webhook] of bad) {
      const events = await db.createEvents(tenantId, 'bad.test', PER_BAD_RECEIVER, [webhook]);
      badDeliveries.push(...events.map((event) => ({ eventId: event._id, webhookId: webhook._id, path })));
    }
    const withBad = await healthyLatencies(
      tenantId,
      healthy,
      badDeliveries.map(({ eventId, webhookId }) => ({ eventId, webhookId })),
    );

    // Every bad delivery reaches its end in the attempt log: three failed attempts (the first and two
    // retries), or one for the 410 (the webhook is disabled) and the 100 MB body (a 200).
    const badIds = badDeliveries.map((delivery) => delivery.eventId);
    const attemptsExpected = PER_BAD_RECEIVER * (4 * ATTEMPTS_PER_FAILURE + 2);
    const loadBadAttempts = () =>
      db.attempts
        .find({ eventId: { $in: badIds } })
        .lean<DeliveryAttemptDocument[]>()
        .exec();
    const attempts =
      (await waitFor(
        `${attemptsExpected} attempts logged for the bad receivers`,
        async () => {
          const logged = await loadBadAttempts();
          return logged.length >= attemptsExpected ? logged : undefined;
        },
        150_000,
        1_000,
      ).catch(() => undefined)) ?? (await loadBadAttempts());
    // Delivery rows (GET .../status) left short of a final state although all their attempts are logged.
    // Reported, not asserted: seen on FerretDB before its updates held their collection (infra/ferretdb/).
    const rows = await db.deliveries
      .find({ eventId: { $in: badIds } })
      .lean()
      .exec();
    const unsettledRows = rows.filter((row) => row.status !== 'delivered' && row.status !== 'failed');
    const attemptsTo = (path: string) => attempts.filter((attempt) => attempt.webhookId === bad.get(path)!._id);

    const summary = (values: number[]) => `p50 ${percentile(values, 0.5)} ms, p95 ${percentile(values, 0.95)} ms`;
    reportFigures({
      fault: '4. misbehaving receivers (hang, reset, 500, 429, 410, 100 MB)',
      commands: HEALTHY * 2 + badDeliveries.length,
      delivered: alone.audit.delivered + withBad.audit.delivered,
      logged: alone.audit.logged + withBad.audit.logged,
      duplicates: alone.audit.duplicates + withBad.audit.duplicates,
      recoverySeconds: null,
      notes: {
        healthyAlone: summary(alone.latencies),
        healthyWithBad: summary(withBad.latencies),
        badAttemptsLogged: `${attempts.length}/${attemptsExpected}`,
        unsettledBadRows: unsettledRows
          .map((row) => `${new URL(row.url).pathname}:${row.status}:${row.attempts}`)
          .join(' '),
        hugeBodyMaxBytesWritten: Math.max(...hugeAnswers.map((answer) => answer.bytes)),
      },
    });

    // The healthy webhook: everything delivered, logged and never sent twice, in both phases.
    for (const { audit } of [alone, withBad]) {
      expect(audit.missing).toEqual([]);
      expect(audit.logged).toBe(HEALTHY);
      expect(audit.loggedTwice).toBe(0);
      expect(audit.duplicates).toBe(0);
    }

    // Each bad receiver fails in its own way, and only for its own deliveries.
    const expectFailedWith = (path: string, check: (attempt: DeliveryAttemptDocument) => void) => {
      const logged = attemptsTo(path);
      expect(logged).toHaveLength(PER_BAD_RECEIVER * ATTEMPTS_PER_FAILURE);
      for (const attempt of logged) {
        expect(attempt.success).toBe(false);
        check(attempt);
      }
    };
    expectFailedWith('/hang', (attempt) => expect(attempt.errorKind).toBe('timeout'));
    expectFailedWith('/reset', (attempt) => expect(attempt.errorKind).toBe('connection_reset'));
    expectFailedWith('/error', (attempt) => {
      expect(attempt.statusCode).toBe(500);
      expect(attempt.responseBodyExcerpt).toBe('internal error');
    });
    expectFailedWith('/throttled', (attempt) => expect(attempt.statusCode).toBe(429));
    // Retry-After: 1 is honoured: no retry of a throttled event comes sooner than a second after the last POST.
    const throttledPosts = receiver.received('/throttled');
    for (const eventId of new Set(throttledPosts.map((request) => request.headers['webhook-id']))) {
      const times = throttledPosts
        .filter((request) => request.headers['webhook-id'] === eventId)
        .map((r) => r.receivedAt);
      for (let index = 1; index < times.length; index += 1)
        expect(times[index] - times[index - 1]).toBeGreaterThanOrEqual(900);
    }

    // 410 disables the webhook and is never retried.
    const gone = await db.webhookById(bad.get('/gone')!._id);
    expect(gone?.active).toBe(false);
    const gonePosts = receiver.received('/gone').map((request) => request.headers['webhook-id']);
    expect(new Set(gonePosts).size).toBe(gonePosts.length);
    expect(attemptsTo('/gone').every((attempt) => !attempt.success && attempt.attemptNumber === 1)).toBe(true);

    // The 100 MB body: a success, a bounded excerpt, and the dispatcher hung up long before reading it all.
    const huge = attemptsTo('/huge');
    expect(huge).toHaveLength(PER_BAD_RECEIVER);
    for (const attempt of huge) {
      expect(attempt.success).toBe(true);
      expect(attempt.responseBodyExcerpt!.length).toBeLessThanOrEqual(4 * 1024);
    }
    for (const answer of hugeAnswers) expect(answer.bytes).toBeLessThan(HUGE_BODY_BYTES);
  });
});
