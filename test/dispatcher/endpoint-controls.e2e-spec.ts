import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { KafkaTopic } from '@app/contracts';
import type { EventDocument, WebhookDocument } from '@app/persistence';
import { AppProcess } from '../support/app-process';
import { REPO_ROOT } from '../support/infra';
import { TestKafka } from '../support/kafka-client';
import { respondAfter, TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { startTestDispatcher } from '../support/test-dispatcher';
import { waitFor } from '../support/wait-for';

/**
 * Arrivals per 1 s window, from the receiver's own clock: windows starting every 100 ms from the first
 * arrival to a second before the last (a window starting at each arrival would count that arrival in
 * every window, reading about one too high).
 */
function arrivalsPerSecond(arrivals: number[]): { mean: number; max: number } {
  const times = [...arrivals].sort((a, b) => a - b);
  const counts: number[] = [];
  for (let start = times[0]; start + 1000 <= times[times.length - 1]; start += 100) {
    counts.push(times.filter((time) => time >= start && time < start + 1000).length);
  }
  return { mean: counts.reduce((sum, count) => sum + count, 0) / counts.length, max: Math.max(...counts) };
}

/**
 * A webhook's static headers, its own timeout and its rateLimit, as two dispatchers sharing the commands
 * apply them to a real receiver.
 */
describe('Endpoint controls (two dispatchers, real Kafka, FerretDB and receivers)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: TestReceiver;
  const dispatchers: AppProcess[] = [];
  let tenantId: string;

  const logOf = (dispatcher: AppProcess) =>
    readFileSync(join(REPO_ROOT, 'test/artifacts/logs', `${dispatcher.label}-${dispatcher.port}.log`), 'utf8');

  beforeAll(async () => {
    db = await TestDatabase.connect('endpoint_controls');
    kafka = new TestKafka();
    receiver = await new TestReceiver().start();
    const env = {
      ALLOW_PRIVATE_TARGETS: 'true',
      DELIVERY_TIMEOUT: '6s',
      RETRY_SCHEDULE: '1h',
      ENDPOINT_RATE_SHARE_REFRESH: '1s',
      // The count of dispatchers is logged at info.
      LOG_LEVEL: 'info',
    };
    for (const name of ['a', 'b']) {
      dispatchers.push(await startTestDispatcher(`endpoint-controls-${name}-${process.pid}`, db.uri, env));
    }
    // Each takes half of a webhook's rate once it has counted both (every second here).
    await waitFor(
      'both dispatchers to count two dispatchers',
      () => dispatchers.every((dispatcher) => logOf(dispatcher).includes('Sharing webhook rate limits among 2')),
      60_000,
    );
  });

  beforeEach(() => {
    tenantId = `tenant-${randomUUID()}`;
  });

  afterAll(async () => {
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
    await receiver?.stop();
    await kafka?.close();
    await db?.close();
  });

  /** One command per event, to the webhook its delivery row names (createEvents takes them in turn). */
  const publishCommands = (events: EventDocument[], webhooks: WebhookDocument[]) =>
    kafka.publish(
      KafkaTopic.DeliveryCommands,
      events.map(({ _id: eventId }, index) => ({
        key: eventId,
        value: JSON.stringify({ version: 1, eventId, webhookId: webhooks[index % webhooks.length]._id }),
      })),
    );

  it("sends a webhook's static headers with every delivery, next to the signature headers", async () => {
    const webhook = await db.createWebhook(tenantId, receiver.url('/with-headers'), {
      headers: [
        { name: 'Authorization', value: 'Bearer receiver-token' },
        { name: 'X-Route.Region', value: 'eu west' },
      ],
    });
    const plain = await db.createWebhook(tenantId, receiver.url('/without-headers'));
    const events = await db.createEvents(tenantId, 'invoice.paid', 2, [webhook, plain]);
    await publishCommands(events, [webhook, plain]);

    const [withHeaders] = await waitFor(
      'the POST with headers',
      () => receiver.received('/with-headers')[0] && receiver.received('/with-headers'),
    );
    expect(withHeaders.headers).toMatchObject({
      authorization: 'Bearer receiver-token',
      'x-route.region': 'eu west',
      'content-type': 'application/json',
      'webhook-id': events[0]._id,
    });
    expect(withHeaders.headers['webhook-signature']).toMatch(/^v1,/);
    const [withoutHeaders] = await waitFor(
      'the POST without headers',
      () => receiver.received('/without-headers')[0] && receiver.received('/without-headers'),
    );
    expect(withoutHeaders.headers.authorization).toBeUndefined();
  });

  it('gives up on an endpoint after its own timeout while one without it waits for the answer', async () => {
    receiver.on('/slow-short-timeout', respondAfter(2_500));
    receiver.on('/slow-default-timeout', respondAfter(2_500));
    const short = await db.createWebhook(tenantId, receiver.url('/slow-short-timeout'), { timeoutMs: 1_000 });
    const patient = await db.createWebhook(tenantId, receiver.url('/slow-default-timeout'));
    const [shortEvent, patientEvent] = await db.createEvents(tenantId, 'order.created', 2, [short, patient]);
    await publishCommands([shortEvent, patientEvent], [short, patient]);

    const attemptOf = (eventId: string) =>
      waitFor(`the attempt of ${eventId}`, async () => (await db.attemptsOf(eventId))[0], 30_000);
    const [timedOut, answered] = await Promise.all([attemptOf(shortEvent._id), attemptOf(patientEvent._id)]);
    expect(timedOut).toMatchObject({ webhookId: short._id, success: false, statusCode: null, errorKind: 'timeout' });
    expect(answered).toMatchObject({ webhookId: patient._id, success: true, statusCode: 200 });
    // Both under DELIVERY_TIMEOUT (6 s): only the webhook's own 1 s timeout cut the first one short.
    expect(answered.durationMs).toBeGreaterThanOrEqual(2_400);
  });

  it('holds a rateLimit of 5 per second across both dispatchers, delivering all 60 events', async () => {
    const webhook = await db.createWebhook(tenantId, receiver.url('/limited'), { rateLimit: 5 });
    const events = await db.createEvents(tenantId, 'order.created', 60, [webhook]);
    await publishCommands(events, [webhook]);

    const arrivals = await waitFor(
      'all 60 deliveries at the receiver',
      () => receiver.received('/limited').length >= 60 && receiver.received('/limited'),
      90_000,
    );
    expect(new Set(arrivals.map((request) => request.headers['webhook-id'])).size).toBe(60);
    const { mean, max } = arrivalsPerSecond(arrivals.map((request) => request.receivedAt));
    // Measured from the receiver's clock; 10 % over the limit on average, a little more in any one second.
    expect(mean).toBeLessThanOrEqual(5.5);
    expect(max).toBeLessThanOrEqual(8);
    // Waiting for the rate is no attempt: one each.
    const attempts = await waitFor(
      'the 60 attempts recorded',
      async () => {
        const counts = await Promise.all(events.map(async ({ _id }) => (await db.attemptsOf(_id)).length));
        return counts.every((count) => count >= 1) && counts;
      },
      30_000,
    );
    expect(attempts.every((count) => count === 1)).toBe(true);
  }, 150_000);
});
