import { randomUUID } from 'node:crypto';
import { DeadLetterV1, DeliveryLogV1, DeliveryStatus, DeliveryTrigger, KafkaTopic } from '@app/contracts';
import { pendingDeliveryRow, pendingEvent } from '@app/persistence';
import { AppProcess } from '../support/app-process';
import { DeadLetters, originalValue } from '../support/kafka-client';
import { waitFor } from '../support/wait-for';
import { FaultHarness } from './support/fault-harness';

jest.setTimeout(240_000);

/** The partition every message of this test goes to, so the valid ones are read after the poison. */
const PARTITION = 0;
/** Valid messages published behind each poison. */
const BEHIND = 5;

/**
 * A poison message that passes its topic's contract but makes the consumer's handler fail for a reason
 * other than MongoDB or Kafka being away (here: rows corrupted by hand, so that the handler would
 * publish a delivery command that breaks the command contract, which the producer refuses). It is
 * dead-lettered with the handler's error, never retried forever, and the messages behind it on the same
 * partition are processed: for the API's event intake, the dispatcher's command consumer and its log writer.
 */
describe('Fault: a message that makes the handler fail', () => {
  const harness = new FaultHarness('faults-handler-poison');
  let deadLetters: DeadLetters;
  let api: AppProcess;

  beforeAll(async () => {
    await harness.setUp();
    [api] = await Promise.all([harness.startApi(), harness.startDispatcher()]);
    deadLetters = await harness.kafka.collectDeadLetters();
  });

  afterAll(() => harness.tearDown());

  const deadLetterOf = (topic: KafkaTopic, value: string): Promise<DeadLetterV1> =>
    waitFor(`the dead letter of the poison on ${topic}`, () =>
      deadLetters.from(topic).find((letter) => originalValue(letter)?.toString('utf8') === value),
    );

  it('event intake: dead-letters the event whose creation fails and takes in the events behind it', async () => {
    const { db, kafka } = harness;
    const { tenantId } = await harness.newApiTenant(api, 'handler-poison-intake');
    // A pending event whose one delivery row names a webhook id that is not a UUID: publishing the event
    // again (same id and idempotency key) re-publishes its unstarted deliveries' commands, which fails.
    const eventId = randomUUID();
    const idempotencyKey = `poison-${eventId}`;
    const now = new Date();
    const corruptWebhookId = 'not-a-uuid';
    await db.events.collection.insertOne(
      pendingEvent(
        { _id: eventId, tenantId, type: 'poison.intake', payloadJson: '{}', idempotencyKey },
        [corruptWebhookId],
        now,
      ) as never,
    );
    await db.deliveries.collection.insertOne(
      pendingDeliveryRow(
        { tenantId, eventId, webhookId: corruptWebhookId, url: 'https://receiver.test/' },
        now,
      ) as never,
    );
    const poison = JSON.stringify({
      version: 1,
      tenantId,
      eventId,
      type: 'poison.intake',
      payload: {},
      idempotencyKey,
    });
    const behindKeys = Array.from({ length: BEHIND }, (_, index) => `behind-${eventId}-${index}`);
    await kafka.publish(KafkaTopic.Events, [
      { key: tenantId, partition: PARTITION, value: poison },
      ...behindKeys.map((key) => ({
        key: tenantId,
        partition: PARTITION,
        value: JSON.stringify({ version: 1, tenantId, type: 'poison.behind', payload: { key }, idempotencyKey: key }),
      })),
    ]);

    const letter = await deadLetterOf(KafkaTopic.Events, poison);
    expect(letter.partition).toBe(PARTITION);
    expect(letter.reason).toMatch(/^handler failed: .*webhooks\.delivery-commands\.v1.*webhookId must be a UUID/);
    const takenIn = await waitFor(`${BEHIND} events taken in behind the poison`, async () => {
      const found = await db.eventsWithIdempotencyKeys(tenantId, behindKeys);
      return found.length === BEHIND ? found : undefined;
    });
    expect(takenIn.map(({ idempotencyKey: key }) => key).sort()).toEqual([...behindKeys].sort());
    // Dead-lettered once, not retried into the topic again and again.
    expect(
      deadLetters
        .from(KafkaTopic.Events)
        .filter((each) => each.partition === letter.partition && each.offset === letter.offset),
    ).toHaveLength(1);
  });

  it('log writer: dead-letters the log whose FIFO release fails and stores the logs behind it', async () => {
    const { db, kafka, receiver } = harness;
    const tenantId = `handler-poison-logs-${randomUUID()}`;
    // A FIFO webhook whose queue head names an event id that is not a UUID: a finished attempt on the
    // webhook releases the head with a delivery command, which fails.
    const webhook = await db.createWebhook(tenantId, receiver.url('/handler-poison/fifo'), { fifo: true });
    await db.deliveries.collection.insertOne(
      pendingDeliveryRow(
        { tenantId, eventId: 'not-a-uuid', webhookId: webhook._id, url: webhook.url },
        new Date(),
      ) as never,
    );
    const log = (changes: Partial<DeliveryLogV1>): DeliveryLogV1 => ({
      version: 1,
      attemptId: randomUUID(),
      tenantId,
      eventId: randomUUID(),
      webhookId: webhook._id,
      url: webhook.url,
      commandId: `handler-poison-${randomUUID()}`,
      trigger: DeliveryTrigger.Manual,
      attemptNumber: 1,
      startedAt: new Date().toISOString(),
      durationMs: 3,
      success: true,
      statusCode: 200,
      errorKind: null,
      errorMessage: null,
      responseBodyExcerpt: null,
      scheduledFailures: 0,
      deliveryStatus: DeliveryStatus.Delivered,
      ...changes,
    });
    const poison = JSON.stringify(log({ fifo: true }));
    const behind = Array.from({ length: BEHIND }, () => log({}));
    await kafka.publish(KafkaTopic.DeliveryLogs, [
      { key: 'poison', partition: PARTITION, value: poison },
      ...behind.map((each) => ({ key: each.eventId, partition: PARTITION, value: JSON.stringify(each) })),
    ]);

    const letter = await deadLetterOf(KafkaTopic.DeliveryLogs, poison);
    expect(letter.partition).toBe(PARTITION);
    expect(letter.reason).toMatch(/^handler failed: .*webhooks\.delivery-commands\.v1.*eventId must be a UUID/);
    for (const each of behind) {
      const [stored] = await waitFor(`the attempt ${each.attemptId} stored`, async () => {
        const attempts = await db.attemptsOf(each.eventId);
        return attempts.length > 0 ? attempts : undefined;
      });
      expect(stored).toMatchObject({ _id: each.attemptId, tenantId, webhookId: webhook._id, success: true });
    }
    expect(
      deadLetters
        .from(KafkaTopic.DeliveryLogs)
        .filter((each) => each.partition === letter.partition && each.offset === letter.offset),
    ).toHaveLength(1);
  });
  it('dispatcher: dead-letters the command whose planning fails and delivers the commands behind it', async () => {
    const { db, kafka, receiver } = harness;
    // A tenant with one active webhook stored without its eventTypes list: resolving the subscribers of a
    // command that names no webhook fails on it (a TypeError, not MongoDB or Kafka being away).
    const poisoned = `handler-poison-dispatch-${randomUUID()}`;
    const broken = await db.createWebhook(poisoned, receiver.url('/handler-poison/broken'));
    await db.webhooks.collection.updateOne({ _id: broken._id } as never, { $set: { eventTypes: null } });
    const poisonEvent = await db.createEvent(poisoned, 'poison.dispatch', {}, []);
    // Valid commands of another tenant, behind the poison on the same partition.
    const healthy = `handler-poison-dispatch-ok-${randomUUID()}`;
    const webhook = await db.createWebhook(healthy, receiver.url('/handler-poison/ok'));
    const behind = await Promise.all(
      Array.from({ length: BEHIND }, () => db.createEvent(healthy, 'poison.behind', {}, [webhook])),
    );
    const command = (eventId: string, webhookId?: string) =>
      JSON.stringify({
        version: 1,
        commandId: `handler-poison-${randomUUID()}`,
        eventId,
        ...(webhookId ? { webhookId } : {}),
        trigger: DeliveryTrigger.Manual,
      });
    const poison = command(poisonEvent._id);
    await kafka.publish(KafkaTopic.DeliveryCommands, [
      { key: poisonEvent._id, partition: PARTITION, value: poison },
      ...behind.map((event) => ({ key: event._id, partition: PARTITION, value: command(event._id, webhook._id) })),
    ]);

    const letter = await deadLetterOf(KafkaTopic.DeliveryCommands, poison);
    expect(letter.partition).toBe(PARTITION);
    expect(letter.reason).toMatch(/^handler failed: .*length/);
    for (const event of behind) {
      await waitFor(`the command for ${event._id} delivered`, async () => {
        const attempts = await db.attemptsOf(event._id);
        return attempts.some((attempt) => attempt.success) ? attempts : undefined;
      });
    }
    expect(
      deadLetters
        .from(KafkaTopic.DeliveryCommands)
        .filter((each) => each.partition === letter.partition && each.offset === letter.offset),
    ).toHaveLength(1);
  });
});
