import { randomUUID } from 'node:crypto';
import { ConfigService } from '@nestjs/config';
import { Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { AppConfig, validateEnvironment } from '@app/config';
import { KafkaTopic } from '@app/contracts';
import { TopicPlan, TopicProvisioner, TopicsNotAsConfiguredError } from '@app/kafka';
import { testDispatcher } from '../support/test-dispatcher';
import { testKafkaBrokers, testMongoUri } from '../support/infra';

/** kafkajs's DescribeConfigs config source for a value set on the topic itself (not a default). */
const TOPIC_CONFIG_SOURCE = 1;

/**
 * Topics as operators configure them: the provisioner creates each topic with its partitions, replication
 * and topic configs from the environment, and with KAFKA_CREATE_TOPICS=false it creates nothing and
 * refuses a start that lacks a topic or has too few partitions, naming them. The project's own topics are
 * shared with every other suite, so creation runs on copies of the configured topics under names of this
 * run; the refusal is also shown by a dispatcher starting against the real topics.
 */
describe('Kafka topics as configured', () => {
  const run = randomUUID().slice(0, 8);
  let admin: Admin;
  const created: string[] = [];

  beforeAll(async () => {
    admin = new Kafka({ clientId: 'topics-test', brokers: [testKafkaBrokers()], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    if (created.length > 0) await admin.deleteTopics({ topics: created });
    await admin.disconnect();
  });

  /** The provisioner and the project's topics as the apps would read them from `env`, renamed `<topic>.<label>-<run>`. */
  const configured = (label: string, env: Record<string, string>) => {
    const config = new AppConfig(
      new ConfigService(validateEnvironment({ KAFKA_BROKERS: testKafkaBrokers(), NODE_ENV: 'test', ...env })),
    );
    const plans: TopicPlan[] = config.kafkaTopics.map((settings) => ({
      ...settings,
      topic: `${settings.topic}.${label}-${run}`,
    }));
    const renamed = (topic: KafkaTopic) => plans[config.kafkaTopics.findIndex((settings) => settings.topic === topic)];
    return { provisioner: new TopicProvisioner(config), plans, renamed, config };
  };

  const topicConfigs = async (topic: string) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    return new Map(resources[0].configEntries.map((entry) => [entry.configName, entry]));
  };

  const partitionsOf = async (topic: string) =>
    (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length;

  it('creates each topic with its configured partitions, min.insync.replicas, retention and cleanup policy', async () => {
    const { provisioner, plans, renamed, config } = configured('created', {
      KAFKA_PARTITIONS: '2',
      KAFKA_TOPIC_DELIVERY_COMMANDS_PARTITIONS: '5',
      KAFKA_TOPIC_DELIVERY_COMMANDS_MIN_INSYNC_REPLICAS: '1',
      KAFKA_TOPIC_DELIVERY_COMMANDS_RETENTION: '2d',
      KAFKA_TOPIC_DELIVERY_COMMANDS_CLEANUP_POLICY: 'delete',
      KAFKA_TOPIC_DELIVERY_LOGS_CLEANUP_POLICY: 'compact,delete',
      KAFKA_TOPIC_DEAD_LETTER_RETENTION: '0',
    });
    expect(config.get('KAFKA_CREATE_TOPICS')).toBe(true);
    created.push(...plans.map(({ topic }) => topic));

    await provisioner.ensure(plans, { create: true });

    const commands = renamed(KafkaTopic.DeliveryCommands).topic;
    expect(await partitionsOf(commands)).toBe(5);
    const commandConfigs = await topicConfigs(commands);
    expect(commandConfigs.get('min.insync.replicas')).toMatchObject({
      configValue: '1',
      configSource: TOPIC_CONFIG_SOURCE,
    });
    expect(commandConfigs.get('retention.ms')).toMatchObject({
      configValue: String(2 * 86_400_000),
      configSource: TOPIC_CONFIG_SOURCE,
    });
    expect(commandConfigs.get('cleanup.policy')).toMatchObject({
      configValue: 'delete',
      configSource: TOPIC_CONFIG_SOURCE,
    });

    const logs = renamed(KafkaTopic.DeliveryLogs).topic;
    expect(await partitionsOf(logs)).toBe(2);
    expect((await topicConfigs(logs)).get('cleanup.policy')).toMatchObject({
      configValue: 'compact,delete',
      configSource: TOPIC_CONFIG_SOURCE,
    });

    const deadLetters = await topicConfigs(renamed(KafkaTopic.DeadLetter).topic);
    expect(deadLetters.get('retention.ms')).toMatchObject({ configValue: '-1', configSource: TOPIC_CONFIG_SOURCE });

    // What is not configured stays the broker's, as before these settings existed.
    const events = await topicConfigs(renamed(KafkaTopic.Events).topic);
    for (const name of ['min.insync.replicas', 'retention.ms', 'cleanup.policy']) {
      expect(events.get(name)?.configSource).not.toBe(TOPIC_CONFIG_SOURCE);
    }
    expect(await partitionsOf(renamed(KafkaTopic.Events).topic)).toBe(2);
  });

  it('with creation off, creates nothing and names each topic missing or with too few partitions', async () => {
    const { provisioner, plans, renamed } = configured('checked', {
      KAFKA_CREATE_TOPICS: 'false',
      KAFKA_PARTITIONS: '3',
      KAFKA_TOPIC_EVENTS_PARTITIONS: '4',
    });
    // An operator created two of the topics, one of them with fewer partitions than configured.
    const events = renamed(KafkaTopic.Events).topic;
    const commands = renamed(KafkaTopic.DeliveryCommands).topic;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: events, numPartitions: 2, replicationFactor: 1 },
        { topic: commands, numPartitions: 3, replicationFactor: 1 },
      ],
    });
    created.push(events, commands);

    const refusal = provisioner.ensure(plans, { create: false });
    await expect(refusal).rejects.toThrow(TopicsNotAsConfiguredError);
    const { message } = (await refusal.catch((error: Error) => error)) as Error;
    expect(message).toContain('KAFKA_CREATE_TOPICS=false');
    expect(message).toContain(`${events} has 2 partitions, expected at least 4`);
    expect(message).toContain(
      `${renamed(KafkaTopic.DeliveryLogs).topic} is missing (expected with at least 3 partitions)`,
    );
    expect(message).toContain(`${renamed(KafkaTopic.DeadLetter).topic} is missing`);
    expect(message).not.toContain(commands);
    const topics = await admin.listTopics();
    expect(topics).not.toContain(renamed(KafkaTopic.DeliveryLogs).topic);
    expect(topics).not.toContain(renamed(KafkaTopic.DeadLetter).topic);

    // Once the operator has fixed them, the same start goes through.
    await admin.createPartitions({ topicPartitions: [{ topic: events, count: 4 }] });
    const rest = [renamed(KafkaTopic.DeliveryLogs).topic, renamed(KafkaTopic.DeadLetter).topic];
    await admin.createTopics({
      waitForLeaders: true,
      topics: rest.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    });
    created.push(...rest);
    await expect(provisioner.ensure(plans, { create: false })).resolves.toBeUndefined();
  });

  it('a dispatcher that may not create topics starts on topics as configured and refuses too few partitions', async () => {
    // The shared broker's project topics exist already (the apps of other suites made them).
    await configured('project', {}).provisioner.ensureTopics();
    const partitions = await partitionsOf(KafkaTopic.Events);

    const fits = await testDispatcher('topics-check-ok', testMongoUri('kafka_topics'), {
      KAFKA_CREATE_TOPICS: 'false',
      KAFKA_PARTITIONS: String(partitions),
    });
    await fits.start();
    await fits.stop();

    const tooFew = await testDispatcher('topics-check-refused', testMongoUri('kafka_topics'), {
      KAFKA_CREATE_TOPICS: 'false',
      KAFKA_PARTITIONS: String(partitions),
      KAFKA_TOPIC_EVENTS_PARTITIONS: String(partitions + 1),
    });
    const refused = await tooFew.start().catch((error: Error) => error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain('exited before it was ready');
    expect((refused as Error).message).toContain(
      `${KafkaTopic.Events} has ${partitions} partitions, expected at least ${partitions + 1}`,
    );
    expect(await partitionsOf(KafkaTopic.Events)).toBe(partitions);
  });
});
