import { randomUUID } from 'node:crypto';
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { DeadLetterV1, KafkaTopic } from '@app/contracts';
import { issueTokenWithCli } from '../console/support/issue-token';
import { testKafkaBrokers } from '../support/infra';
import { TestKafka } from '../support/kafka-client';
import { TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { auditDeliveries } from './support/delivery-audit';
import { ApiClient, AppFleet, FAST_DISPATCHER_ENV, LOAD_API_ENV } from './support/fault-apps';
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
  const marker = `poison-${randomUUID()}`;
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: TestReceiver;
  let deadLetters: KafkaMessage[];
  let partitions: number;
  let apiPort: number;
  const fleet = new AppFleet();

  beforeAll(async () => {
    db = await TestDatabase.connect('faults_poison');
    kafka = new TestKafka();
    receiver = await new TestReceiver().start();
    deadLetters = await kafka.collect(KafkaTopic.DeadLetter, { fromBeginning: true });
    const shared = { KAFKA_BROKERS: testKafkaBrokers(), MONGODB_URI: db.uri };
    const [api] = await Promise.all([
      fleet.start('api', { ...LOAD_API_ENV, ...shared }, 'faults-poison-api'),
      fleet.start('dispatcher', { ...FAST_DISPATCHER_ENV, ...shared }, 'faults-poison-dispatcher'),
    ]);
    apiPort = api.port;
    const admin = new Kafka({ brokers: [testKafkaBrokers()], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [KafkaTopic.DeliveryCommands] });
    partitions = metadata.topics[0].partitions.length;
    await admin.disconnect();
  });

  afterAll(async () => {
    await fleet.killAll();
    await receiver?.stop();
    await kafka?.close();
    await db?.close();
  });

  /** Three kinds of poison, by partition: not JSON, JSON breaking the schema, and raw bytes. */
  const poison = (topic: string, partition: number): Buffer => {
    const text = `${marker} ${topic} ${partition}`;
    if (partition % 3 === 0) return Buffer.from(`{not json ${text}`);
    if (partition % 3 === 1) return Buffer.from(JSON.stringify({ version: 2, eventId: 'not-a-uuid', text }));
    return Buffer.concat([Buffer.from([0, 159, 146, 150, 255]), Buffer.from(text)]);
  };

  const poisonEveryPartition = (topic: KafkaTopic) =>
    kafka.publish(
      topic,
      Array.from({ length: partitions }, (_, partition) => ({
        key: `${marker}-${partition}`,
        value: poison(topic, partition),
        partition,
      })),
    );

  const deadLettersOf = (topic: KafkaTopic): DeadLetterV1[] =>
    deadLetters
      .map((message) => JSON.parse(message.value!.toString('utf8')) as DeadLetterV1)
      .filter(
        (letter) =>
          letter.sourceTopic === topic &&
          letter.valueBase64 !== null &&
          Buffer.from(letter.valueBase64, 'base64').includes(marker),
      );

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
      expect(Buffer.from(letter.valueBase64!, 'base64')).toEqual(poison(topic, letter.partition));
    }
    return letters;
  };

  it('dead-letters each poison message with its reason and keeps every partition flowing', async () => {
    const tenantId = `faults-poison-${randomUUID().slice(0, 8)}`;
    const token = await issueTokenWithCli({ KAFKA_BROKERS: testKafkaBrokers(), MONGODB_URI: db.uri }, tenantId);
    const api = new ApiClient(apiPort, token);
    const webhookId = await api.createWebhook(receiver.url('/poison/hook'));

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
        const found = await db.events
          .find({ tenantId, idempotencyKey: { $in: intakeKeys } })
          .lean()
          .exec();
        return found.length === partitions ? found : undefined;
      },
      120_000,
      500,
    );
    const expected = [
      ...stored.map((event) => ({ eventId: event._id, webhookId })),
      ...intaken.map((event) => ({ eventId: event._id, webhookId })),
    ];
    const audit = await auditDeliveries(db.attempts, expected, () => receiver.received('/poison/hook'), 180_000);
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
