import { Injectable, Logger } from '@nestjs/common';
import { Admin, ITopicConfig, Kafka, logLevel } from 'kafkajs';
import { sleep } from '@app/common';
import { AppConfig, KafkaTopicSettings } from '@app/config';
import { kafkaClientConfig } from './kafka-options';

/** How long a start waits for new partitions to get a leader that serves them. */
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 200;

/** A topic as it should be; the project's come from AppConfig.kafkaTopics. */
export type TopicPlan = Omit<KafkaTopicSettings, 'topic'> & { topic: string };

/** Topics missing or with too few partitions where the apps may not create them (KAFKA_CREATE_TOPICS=false). */
export class TopicsNotAsConfiguredError extends Error {
  override readonly name = 'TopicsNotAsConfiguredError';
}

/**
 * Creates the project's topics at start-up when they are missing, with the configured partitions,
 * replication and topic configs, and returns once every partition answers offset requests, so consumers
 * never start on a partition whose leader is still being elected. Existing topics are left alone: growing
 * partitions changes key placement, and their configs are the operator's (kafka-configs.sh). With
 * creation off it only checks, and refuses a start that lacks a topic or has too few partitions.
 */
@Injectable()
export class TopicProvisioner {
  private readonly logger = new Logger(TopicProvisioner.name);

  constructor(private readonly config: AppConfig) {}

  ensureTopics(): Promise<void> {
    return this.ensure(this.config.kafkaTopics, { create: this.config.get('KAFKA_CREATE_TOPICS') });
  }

  async ensure(topics: readonly TopicPlan[], { create }: { create: boolean }): Promise<void> {
    // Quiet client: the errors expected here (a lost creation race, a leader not elected yet) are
    // handled below; kafkajs would otherwise log each as an ERROR line.
    const admin = new Kafka({ ...kafkaClientConfig(this.config, 'admin'), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter(({ topic }) => !existing.has(topic));
      const short = await underPartitioned(
        admin,
        topics.filter(({ topic }) => existing.has(topic)),
      );
      if (!create && (missing.length > 0 || short.length > 0)) {
        throw new TopicsNotAsConfiguredError(notAsConfigured(missing, short));
      }
      await this.createMissing(admin, missing);
      for (const { plan, partitions } of short) {
        this.logger.warn(
          `Topic ${plan.topic} has ${partitions} partitions, fewer than the ${plan.partitions} configured; ` +
            'left as it is (adding partitions moves keys to other partitions)',
        );
      }
      await untilServed(
        admin,
        topics.map(({ topic }) => topic),
      );
    } finally {
      await admin.disconnect();
    }
  }

  private async createMissing(admin: Admin, missing: TopicPlan[]): Promise<void> {
    if (missing.length === 0) return;
    try {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map(topicConfig) });
      this.logger.log(`Created topics: ${missing.map(({ topic }) => topic).join(', ')}`);
    } catch (error) {
      // Two processes starting together race to create the same topics; the loser sees "already exists".
      if (!/already exists/i.test(describe(error))) throw error;
    }
  }
}

function topicConfig(plan: TopicPlan): ITopicConfig {
  const configs: [string, string | number | undefined][] = [
    ['min.insync.replicas', plan.minInsyncReplicas],
    ['retention.ms', plan.retentionMs],
    ['cleanup.policy', plan.cleanupPolicy],
  ];
  return {
    topic: plan.topic,
    numPartitions: plan.partitions,
    replicationFactor: plan.replicationFactor,
    // Unset ones are left to the broker's defaults, as before these settings existed.
    configEntries: configs
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => ({ name, value: String(value) })),
  };
}

async function underPartitioned(
  admin: Admin,
  present: TopicPlan[],
): Promise<{ plan: TopicPlan; partitions: number }[]> {
  if (present.length === 0) return [];
  const { topics } = await admin.fetchTopicMetadata({ topics: present.map(({ topic }) => topic) });
  const partitionsOf = new Map(topics.map(({ name, partitions }) => [name, partitions.length]));
  return present
    .map((plan) => ({ plan, partitions: partitionsOf.get(plan.topic) ?? 0 }))
    .filter(({ plan, partitions }) => partitions < plan.partitions);
}

function notAsConfigured(missing: TopicPlan[], short: { plan: TopicPlan; partitions: number }[]): string {
  const problems = [
    ...missing.map((plan) => `${plan.topic} is missing (expected with at least ${plan.partitions} partitions)`),
    ...short.map(
      ({ plan, partitions }) => `${plan.topic} has ${partitions} partitions, expected at least ${plan.partitions}`,
    ),
  ];
  return (
    `Kafka topics are not as configured and KAFKA_CREATE_TOPICS=false: ${problems.join('; ')}. ` +
    'Create them (or add partitions), or lower KAFKA_PARTITIONS / KAFKA_TOPIC_<TOPIC>_PARTITIONS'
  );
}

/** A leader known to the metadata may not serve its partition yet; offset requests tell. */
async function untilServed(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`Kafka topic ${topic} is not served: ${describe(error)}`);
        await sleep(READY_POLL_MS);
      }
    }
  }
}

/** kafkajs puts per-topic creation errors in `errors`, beside a generic message. */
function describe(error: unknown): string {
  const { message, errors } = error as { message?: string; errors?: { message?: string }[] };
  return [message, ...(errors ?? []).map((inner) => inner.message)].filter(Boolean).join('; ');
}
