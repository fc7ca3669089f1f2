import { Injectable, Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { ALL_TOPICS } from '@app/contracts';
import { AppConfig } from '@app/config';
import { kafkaClientConfig } from './kafka-options';

/**
 * Creates the project's topics at start-up when they are missing, with the configured partition count.
 * Existing topics are left alone: growing partitions changes key placement, an operator's decision.
 */
@Injectable()
export class TopicProvisioner {
  private readonly logger = new Logger(TopicProvisioner.name);

  constructor(private readonly config: AppConfig) {}

  async ensureTopics(): Promise<void> {
    const admin = new Kafka(kafkaClientConfig(this.config, 'admin')).admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = ALL_TOPICS.filter((topic) => !existing.has(topic));
      if (missing.length === 0) return;
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
      if (!/already exists/i.test((error as Error).message)) throw error;
    } finally {
      await admin.disconnect();
    }
  }
}
