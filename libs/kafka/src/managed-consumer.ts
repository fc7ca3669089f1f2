import { Logger } from '@nestjs/common';
import { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import { AppConfig } from '@app/config';
import { kafkaClientConfig } from './kafka-options';

/**
 * A kafkajs consumer whose fatal crash ends the process. kafkajs reports a crash it will not recover
 * from with `restart: false`, after which the consumer is dead while the process looks healthy; exiting
 * non-zero lets the supervisor (systemd, Kubernetes, compose `restart:`) start a fresh one.
 */
export function createManagedConsumer(config: AppConfig, role: string, consumerConfig: ConsumerConfig): Consumer {
  const logger = new Logger(`KafkaConsumer:${role}`);
  const consumer = new Kafka(kafkaClientConfig(config, role)).consumer({
    sessionTimeout: config.durationMs('KAFKA_SESSION_TIMEOUT'),
    heartbeatInterval: Math.max(Math.floor(config.durationMs('KAFKA_SESSION_TIMEOUT') / 10), 100),
    allowAutoTopicCreation: false,
    ...consumerConfig,
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error(`Consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
    if (!payload.restart) {
      logger.error('Consumer will not restart; exiting so the supervisor restarts the process');
      process.exit(1);
    }
  });
  return consumer;
}
