import { randomUUID } from 'node:crypto';
import { DeadLetterV1, KafkaTopic } from '@app/contracts';
import { AppProcess } from '../support/app-process';
import { DeadLetters, originalValue } from '../support/kafka-client';
import { waitFor } from '../support/wait-for';
import { FaultHarness } from './support/fault-harness';
import { reportFigures } from './support/figures';

/** Valid commands after the poison, spread round-robin over the partitions. */
const COMMANDS = 96;

jest.setTimeout(240_000);

/**
 * Fault 5: a poison message on every partition of each consumed topic (delivery commands and delivery
 * logs, consumed by the dispatcher; events, consumed by the API). Each lands in the dead-letter topic
 * with its reason and original bytes, and the valid messages published after it on the same partitions
 * are still processed.
 */
describe('Fault: poison messages on every consumed topic', () => {
  const harness = new FaultHarness('faults-poison');
  const marker = `poison-${randomUUID()}`;
  let deadLetters: DeadLetters;
  let partitions: number;
  let api: AppProcess;

  beforeAll(async () => {
    await harness.setUp();
    [api] = await Promise.all([harness.startApi(), harness.startDispatcher()]);
    // After the apps started: they create the topics on a fresh broker.
    deadLetters = await harness.kafka.collectDeadLetters();
    partitions = await harness.kafka.partitionCount(KafkaTopic.DeliveryCommands);
  });

  afterAll(() => harness.tearDown());

  /** Three kinds of poison, by partition: not JSON, JSON breaking the schema, and raw bytes. */
  const poison = (topic: string, partition: number): Buffer => {
    const text = `${marker} ${topic} ${partition}`;
    if (partition % 3 === 0) return Buffer.from(`{not json ${text}`);
    if (partition % 3 === 1) return Buffer.from(JSON.stringify({ version: 2, eventId: 'not-a-uuid', text }));
    return Buffer.concat([Buffer.from([0, 159, 146, 150, 255]), Buffer.from(text)]);
  };

  const poisonEveryPartition = (topic: KafkaTopic) =>
    harness.kafka.publish(
      topic,
      Array.from({ length: partitions }, (_, partition) => ({
        key: `${marker}-${partition}`,
        value: poison(topic, partition),
        partition,
      })),
    );

  /** This run's letters from `topic`: those whose original value carries the marker. */
  const deadLettersOf = (topic: KafkaTopic): DeadLetterV1[] =>
    deadLetters.from(topic).filter((letter) => originalValue(letter)?.includes(marker) ?? false);

  const expectDeadLettered = async (topic: KafkaTopic) => {
    const letters = await waitFor(`${partitions} dead letters from ${topic}`, () => {
      const found = deadLettersOf(topic);
      return found.length >= partitions ? found : undefined;
    });
    expect(letters.map((letter) => letter.partition).sort((a, b) => a - b)).toEqual(
      Array.from({ length: partitions }, (_, partition) => partition),
    );
    for (const letter of letters) {
      expect(letter.reason).toEqual(expect.any(String));
      expect(letter.reason.length).toBeGreaterThan(0);
      expect(originalValue(letter)).toEqual(poison(topic, letter.partition));
    }
    return letters;
  };

  it('dead-letters each poison message with its reason and keeps every partition flowing', async () => {
    const { db, kafka, receiver } = harness;
    const { tenantId, client } = await harness.newApiTenant(api, 'faults-poison');
    const webhookId = await client.createWebhook(receiver.url('/poison/hook'));

    // Poison first, on every partition of the three consumed topics...
    await poisonEveryPartition(KafkaTopic.DeliveryCommands);
    await poisonEveryPartition(KafkaTopic.DeliveryLogs);
    await poisonEveryPartition(KafkaTopic.Events);

    // ...then valid messages behind it on the same partitions. Commands are pinned round-robin; their
    // delivery logs follow on the log topic's partitions (keyed by event id).
    const stored = await db.createEvents(tenantId, 'poison.test', COMMANDS, [(await db.webhookById(webhookId))!]);
    await kafka.publish(
      KafkaTopic.DeliveryCommands,
      stored.map((event, index) => ({
        key: event._id,
        partition: index % partitions,
        value: JSON.stringify({ version: 1, commandId: `cmd-${event._id}`, eventId: event._id, webhookId }),
      })),
    );
    const intakeKeys = Array.from({ length: partitions }, (_, partition) => `${marker}-event-${partition}`);
    await kafka.publish(
      KafkaTopic.Events,
      intakeKeys.map((idempotencyKey, partition) => ({
        key: tenantId,
        partition,
        value: JSON.stringify({ version: 1, tenantId, type: 'poison.intake', payload: { partition }, idempotencyKey }),
      })),
    );

    const commandLetters = await expectDeadLettered(KafkaTopic.DeliveryCommands);
    const logLetters = await expectDeadLettered(KafkaTopic.DeliveryLogs);
    const eventLetters = await expectDeadLettered(KafkaTopic.Events);

    // The events published to Kafka behind the poison were taken in, each once.
    const intaken = await waitFor(
      `${partitions} events taken in from ${KafkaTopic.Events}`,
      async () => {
        const found = await db.eventsWithIdempotencyKeys(tenantId, intakeKeys);
        return found.length === partitions ? found : undefined;
      },
      120_000,
      500,
    );
    const expected = [
      ...stored.map((event) => ({ eventId: event._id, webhookId })),
      ...intaken.map((event) => ({ eventId: event._id, webhookId })),
    ];
    const audit = await harness.audit(expected, '/poison/hook', 180_000);
    const attemptsPerDelivery = new Map<string, number>();
    for (const attempt of audit.attempts) {
      attemptsPerDelivery.set(attempt.eventId, (attemptsPerDelivery.get(attempt.eventId) ?? 0) + 1);
    }

    reportFigures({
      fault: '5. poison message on every partition of 3 topics',
      commands: expected.length,
      delivered: audit.delivered,
      logged: audit.logged,
      duplicates: audit.duplicates,
      recoverySeconds: null,
      notes: {
        partitions,
        deadLetteredCommands: commandLetters.length,
        deadLetteredLogs: logLetters.length,
        deadLetteredEvents: eventLetters.length,
      },
    });
    expect(audit.missing).toEqual([]);
    expect(audit.logged).toBe(expected.length);
    expect(audit.loggedTwice).toBe(0);
    expect([...attemptsPerDelivery.values()].every((count) => count === 1)).toBe(true);
    expect(audit.duplicates).toBe(0);
  });
});
