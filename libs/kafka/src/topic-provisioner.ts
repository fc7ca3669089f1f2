import { Injectable, Logger } from '@nestjs/common';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS } from '@app/contracts';
import { AppConfig } from '@app/config';
import { kafkaClientConfig } from './kafka-options';

/** How long a start waits for new partitions to get a leader that serves them. */
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 200;

/**
 * Creates the project's topics at start-up when they are missing, with the configured partition count,
 * and returns once every partition answers offset requests, so consumers never start on a partition whose
 * leader is still being elected. Existing topics are left alone: growing partitions changes key
 * placement, an operator's decision.
 */
@Injectable()
export class TopicProvisioner {
  private readonly logger = new Logger(TopicProvisioner.name);

  constructor(private readonly config: AppConfig) {}

  async ensureTopics(): Promise<void> {
    // Quiet client: the errors expected here (a lost creation race, a leader not elected yet) are
    // handled below; kafkajs would otherwise log each as an ERROR line.
    const admin = new Kafka({ ...kafkaClientConfig(this.config, 'admin'), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await this.createMissing(admin);
      await this.untilServed(admin);
    } finally {
      await admin.disconnect();
    }
  }

  private async createMissing(admin: Admin): Promise<void> {
    const existing = new Set(await admin.listTopics());
    const missing = ALL_TOPICS.filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.config.get('KAFKA_PARTITIONS'),
          replicationFactor: this.config.get('KAFKA_REPLICATION_FACTOR'),
        })),
      });
      this.logger.log(`Created topics: ${missing.join(', ')}`);
    } catch (error) {
      // Two processes starting together race to create the same topics; the loser sees "already exists".
      if (!/already exists/i.test(describe(error))) throw error;
    }
  }

  /** A leader known to the metadata may not serve its partition yet; offset requests tell. */
  private async untilServed(admin: Admin): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (const topic of ALL_TOPICS) {
      for (;;) {
        try {
          await admin.fetchTopicOffsets(topic);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`Kafka topic ${topic} is not served: ${describe(error)}`);
          await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
        }
      }
    }
  }
}

/** kafkajs puts per-topic creation errors in `errors`, beside a generic message. */
function describe(error: unknown): string {
  const { message, errors } = error as { message?: string; errors?: { message?: string }[] };
  return [message, ...(errors ?? []).map((inner) => inner.message)].filter(Boolean).join('; ');
}
