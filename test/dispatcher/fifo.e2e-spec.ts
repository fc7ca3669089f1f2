import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryTrigger, KafkaTopic } from '@app/contracts';
import { EventDocument, WebhookDocument } from '@app/persistence';
import { AppProcess } from '../support/app-process';
import { TestKafka } from '../support/kafka-client';
import { ReceiverBehaviour, TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { startTestDispatcher } from '../support/test-dispatcher';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

/**
 * FIFO webhooks: deliveries in event order, a failing event holding back the later ones. Two dispatchers
 * share the command partitions, so the order has to come from MongoDB, not from one process.
 */
describe('FIFO webhooks (two dispatchers, real Kafka, FerretDB and receivers)', () => {
  let tenantId: string;
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: TestReceiver;
  let dispatchers: AppProcess[];

  beforeAll(async () => {
    db = await TestDatabase.connect('dispatcher_fifo');
    kafka = new TestKafka();
    receiver = await new TestReceiver().start();
    const env = {
      KAFKA_SESSION_TIMEOUT: '10s',
      ALLOW_PRIVATE_TARGETS: 'false',
      PRIVATE_TARGET_ALLOWLIST: `127.0.0.1:${receiver.port}`,
      RETRY_SCHEDULE: '1s,1s,1s',
      RETRY_JITTER: '0',
      RETRY_THROTTLED_MIN_DELAY: '120s',
      FIFO_SWEEP_INTERVAL: '1s',
      ENDPOINT_CONCURRENCY: '16',
    };
    dispatchers = await Promise.all(
      ['a', 'b'].map((name) => startTestDispatcher(`dispatcher-fifo-${name}`, db.uri, env)),
    );
  });

  beforeEach(() => {
    tenantId = `tenant-${randomUUID()}`;
  });

  afterAll(async () => {
    await Promise.all((dispatchers ?? []).map((dispatcher) => dispatcher.stop()));
    await receiver?.stop();
    await kafka?.close();
    await db?.close();
  });

  /** Events accepted one after the other (distinct createdAt), each targeting `webhooks`. */
  const createEventsInOrder = async (count: number, webhooks: WebhookDocument[]): Promise<EventDocument[]> => {
    const events: EventDocument[] = [];
    for (let index = 0; index < count; index += 1) {
      events.push(await db.createEvent(tenantId, 'order.updated', { index }, webhooks));
      await sleep(3);
    }
    return events;
  };

  /** One initial command per (event, webhook), newest event first, keyed by event so they spread over partitions. */
  const publishInitialCommands = (events: EventDocument[], webhooks: WebhookDocument[]) =>
    kafka.publish(
      KafkaTopic.DeliveryCommands,
      [...events].reverse().flatMap((event) =>
        webhooks.map((webhook) => ({
          key: event._id,
          value: JSON.stringify({
            version: 1,
            commandId: randomUUID(),
            eventId: event._id,
            webhookId: webhook._id,
            trigger: DeliveryTrigger.Initial,
          }),
        })),
      ),
    );

  /** Fails the first `failures` requests for `eventId`, answers 200 otherwise. */
  const failFirst = (eventId: string, failures: number, status = 500): ReceiverBehaviour => {
    let failed = 0;
    return (request, response) => {
      const failing = request.headers['webhook-id'] === eventId && failed < failures;
      if (failing) failed += 1;
      response.writeHead(failing ? status : 200, failing && status === 429 ? { 'retry-after': '120' } : {});
      response.end();
    };
  };

  const arrivals = (path: string) => receiver.received(path).map((request) => request.headers['webhook-id']);

  const allDelivered = (events: EventDocument[], webhook: WebhookDocument) =>
    waitFor(
      `${events.length} deliveries to ${webhook.url}`,
      async () => {
        const rows = await Promise.all(events.map((event) => db.deliveryOf(event._id, webhook._id)));
        return rows.every((row) => row?.status === 'delivered') ? rows : undefined;
      },
      120_000,
    );

  it('delivers in event order and holds later events back while an earlier one is retried; an unordered webhook does not wait', async () => {
    const ordered = await db.createWebhook(tenantId, receiver.url('/ordered'), { fifo: true });
    const unordered = await db.createWebhook(tenantId, receiver.url('/unordered'));
    const events = await createEventsInOrder(6, [ordered, unordered]);
    const ids = events.map(({ _id }) => _id);
    receiver.on('/ordered', failFirst(ids[0], 2));
    receiver.on('/unordered', failFirst(ids[0], 2));

    await publishInitialCommands(events, [ordered, unordered]);

    const rows = await allDelivered(events, ordered);
    await allDelivered(events, unordered);
    // The first event needed three attempts; each later one went out once, after it, in order.
    expect(arrivals('/ordered')).toEqual([ids[0], ids[0], ids[0], ...ids.slice(1)]);
    expect(rows.map((row) => ({ attempts: row?.attempts, heldBy: row?.heldBy ?? null }))).toEqual([
      { attempts: 3, heldBy: null },
      ...ids.slice(1).map(() => ({ attempts: 1, heldBy: null })),
    ]);
    // The same failures on a webhook without FIFO: later events went out before the first one succeeded.
    const plain = arrivals('/unordered');
    const firstSuccess = plain.lastIndexOf(ids[0]);
    expect(plain.slice(0, firstSuccess).filter((id) => id !== ids[0]).length).toBeGreaterThan(0);
    expect([...plain].sort()).toEqual([ids[0], ids[0], ...ids].sort());
    // Every attempt is logged once: nothing was sent twice by the original command and a release.
    for (const event of events) {
      const attempts = (await db.attemptsOf(event._id)).filter(({ webhookId }) => webhookId === ordered._id);
      expect(attempts).toHaveLength(event._id === ids[0] ? 3 : 1);
    }
  });

  it('moves on once the first event has used up its retries', async () => {
    const ordered = await db.createWebhook(tenantId, receiver.url('/exhausted'), { fifo: true });
    const events = await createEventsInOrder(3, [ordered]);
    const ids = events.map(({ _id }) => _id);
    receiver.on('/exhausted', failFirst(ids[0], 100));

    await publishInitialCommands(events, [ordered]);

    await allDelivered(events.slice(1), ordered);
    expect(await db.deliveryOf(ids[0], ordered._id)).toMatchObject({ status: 'failed', attempts: 4 });
    expect(arrivals('/exhausted')).toEqual([ids[0], ids[0], ids[0], ids[0], ids[1], ids[2]]);
  });

  it('records what a held delivery waits for, and releases it when FIFO is switched off', async () => {
    const ordered = await db.createWebhook(tenantId, receiver.url('/switched'), { fifo: true });
    const events = await createEventsInOrder(3, [ordered]);
    const ids = events.map(({ _id }) => _id);
    // 429 puts the first event two minutes away (RETRY_THROTTLED_MIN_DELAY), far beyond this test.
    receiver.on('/switched', failFirst(ids[0], 100, 429));

    await publishInitialCommands(events, [ordered]);

    await waitFor('both later deliveries held behind the first', async () => {
      const rows = await Promise.all(ids.slice(1).map((id) => db.deliveryOf(id, ordered._id)));
      return rows.every((row) => row?.heldBy === ids[0]) || undefined;
    });
    await waitFor(
      'the first delivery to wait for its retry',
      async () => (await db.deliveryOf(ids[0], ordered._id))?.status === 'retrying',
    );
    expect(arrivals('/switched')).toEqual([ids[0]]);

    await db.webhooks.updateOne({ _id: ordered._id }, { $set: { fifo: false } });

    await allDelivered(events.slice(1), ordered);
    expect(await db.deliveryOf(ids[0], ordered._id)).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(arrivals('/switched').slice(1).sort()).toEqual(ids.slice(1).sort());
  });
});
