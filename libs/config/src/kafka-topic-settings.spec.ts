import { KafkaTopic } from '@app/contracts';
import { validateEnvironment } from './environment';
import { KafkaTopicSettings, topicVariablePrefix } from './kafka-topic-settings';

const settingsOf = (env: Record<string, string>, topic: KafkaTopic): KafkaTopicSettings =>
  validateEnvironment(env).kafkaTopics.find((settings) => settings.topic === topic)!;

describe('Kafka topic settings', () => {
  it.each([
    [KafkaTopic.DeliveryCommands, 'KAFKA_TOPIC_DELIVERY_COMMANDS_'],
    [KafkaTopic.Events, 'KAFKA_TOPIC_EVENTS_'],
    [KafkaTopic.DeliveryLogs, 'KAFKA_TOPIC_DELIVERY_LOGS_'],
    [KafkaTopic.DeadLetter, 'KAFKA_TOPIC_DEAD_LETTER_'],
  ])('names the variables of %s %s*', (topic, prefix) => {
    expect(topicVariablePrefix(topic)).toBe(prefix);
  });

  it('gives every topic the global partitions and replication, and leaves the rest to the broker, by default', () => {
    const { kafkaTopics } = validateEnvironment({});
    expect(kafkaTopics.map((settings) => settings.topic).sort()).toEqual(Object.values(KafkaTopic).sort());
    for (const settings of kafkaTopics) {
      expect(settings).toEqual({
        topic: settings.topic,
        partitions: 12,
        replicationFactor: 1,
        minInsyncReplicas: undefined,
        retentionMs: undefined,
        cleanupPolicy: undefined,
      });
    }
  });

  it('takes per-topic settings over the global ones, for that topic only', () => {
    const env = {
      KAFKA_PARTITIONS: '6',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      KAFKA_TOPIC_DELIVERY_COMMANDS_PARTITIONS: '24',
      KAFKA_TOPIC_DELIVERY_COMMANDS_RETENTION: '7d',
      KAFKA_TOPIC_DEAD_LETTER_RETENTION: '0',
      KAFKA_TOPIC_DEAD_LETTER_REPLICATION_FACTOR: '4',
      KAFKA_TOPIC_DEAD_LETTER_MIN_INSYNC_REPLICAS: '3',
      KAFKA_TOPIC_DELIVERY_LOGS_CLEANUP_POLICY: 'compact,delete',
    };
    expect(settingsOf(env, KafkaTopic.DeliveryCommands)).toEqual({
      topic: KafkaTopic.DeliveryCommands,
      partitions: 24,
      replicationFactor: 3,
      minInsyncReplicas: 2,
      retentionMs: 7 * 86_400_000,
      cleanupPolicy: undefined,
    });
    expect(settingsOf(env, KafkaTopic.DeadLetter)).toMatchObject({
      partitions: 6,
      replicationFactor: 4,
      minInsyncReplicas: 3,
      retentionMs: -1,
    });
    expect(settingsOf(env, KafkaTopic.DeliveryLogs)).toMatchObject({ partitions: 6, cleanupPolicy: 'compact,delete' });
    expect(settingsOf(env, KafkaTopic.Events)).toMatchObject({
      partitions: 6,
      replicationFactor: 3,
      retentionMs: undefined,
    });
  });

  it.each([
    [{ KAFKA_TOPIC_EVENTS_PARTITIONS: '0' }, 'KAFKA_TOPIC_EVENTS_PARTITIONS: must be a whole number from 1 to 1000'],
    [{ KAFKA_TOPIC_EVENTS_PARTITIONS: 'many' }, 'KAFKA_TOPIC_EVENTS_PARTITIONS: must be a whole number from 1 to 1000'],
    [
      { KAFKA_TOPIC_EVENTS_REPLICATION_FACTOR: '9' },
      'KAFKA_TOPIC_EVENTS_REPLICATION_FACTOR: must be a whole number from 1 to 7',
    ],
    [
      { KAFKA_TOPIC_EVENTS_RETENTION: '30' },
      'KAFKA_TOPIC_EVENTS_RETENTION: must be 0 (keep forever) or a duration of at least 1h',
    ],
    [
      { KAFKA_TOPIC_EVENTS_CLEANUP_POLICY: 'forever' },
      'KAFKA_TOPIC_EVENTS_CLEANUP_POLICY: must be one of delete, compact, compact,delete',
    ],
    [
      { KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS: '2' },
      "KAFKA_TOPIC_EVENTS_MIN_INSYNC_REPLICAS: 2 is more than webhooks.events.v1's replication factor 1",
    ],
    [
      { KAFKA_MIN_INSYNC_REPLICAS: '2' },
      "KAFKA_MIN_INSYNC_REPLICAS: 2 is more than webhooks.delivery-commands.v1's replication factor 1",
    ],
    [
      { KAFKA_TOPIC_EVENT_PARTITIONS: '3' },
      'KAFKA_TOPIC_EVENT_PARTITIONS: not a setting; per-topic settings are KAFKA_TOPIC_<TOPIC>_<SETTING>',
    ],
    [{ KAFKA_TOPIC_EVENTS_RETENTION_MS: '1' }, 'KAFKA_TOPIC_EVENTS_RETENTION_MS: not a setting'],
  ])('refuses %p', (env, message) => {
    expect(() => validateEnvironment(env)).toThrow(message);
  });
});
