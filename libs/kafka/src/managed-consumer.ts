import { Logger } from '@nestjs/common';
import { Consumer, ConsumerConfig, ConsumerRunConfig, Kafka } from 'kafkajs';
import { sleep } from '@app/common';
import { AppConfig } from '@app/config';
import { kafkaClientConfig } from './kafka-options';

/** In-process restarts after crashes kafkajs gives up on, before the process exits. */
const MAX_FATAL_RESTARTS = 8;
const FATAL_RESTART_BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 20_000, 30_000];

/**
 * A kafkajs consumer that survives a broker outage without the process. kafkajs restarts by itself after
 * retriable errors, but gives up on some it deems fatal (`restart: false`), e.g. no group coordinator
 * while a restarted broker is still loading. Then the consumer runs again, with backoff, in process: an
 * API keeps answering HTTP meanwhile. Only if that keeps failing does the process exit non-zero, for the
 * supervisor (systemd, Kubernetes, compose `restart:`) to start a fresh one.
 */
export function createManagedConsumer(config: AppConfig, role: string, consumerConfig: ConsumerConfig): Consumer {
  const logger = new Logger(`KafkaConsumer:${role}`);
  const consumer = new Kafka(kafkaClientConfig(config, role)).consumer({
    sessionTimeout: config.durationMs('KAFKA_SESSION_TIMEOUT'),
    heartbeatInterval: Math.max(Math.floor(config.durationMs('KAFKA_SESSION_TIMEOUT') / 10), 100),
    allowAutoTopicCreation: false,
    maxBytes: config.get('KAFKA_FETCH_MAX_BYTES'),
    maxBytesPerPartition: Math.floor(config.get('KAFKA_FETCH_MAX_BYTES') / 4),
    ...consumerConfig,
  });
  let runConfig: ConsumerRunConfig | undefined;
  let fatalRestarts = 0;
  let stopped = false;
  const run = consumer.run.bind(consumer);
  consumer.run = (config?: ConsumerRunConfig) => {
    runConfig = config;
    return run(config);
  };
  const disconnect = consumer.disconnect.bind(consumer);
  consumer.disconnect = () => {
    stopped = true;
    return disconnect();
  };
  consumer.on(consumer.events.GROUP_JOIN, () => {
    fatalRestarts = 0;
  });
  const runAgain = async (): Promise<void> => {
    if (stopped) return;
    if (fatalRestarts >= MAX_FATAL_RESTARTS) {
      logger.error(
        `Consumer did not recover after ${fatalRestarts} restarts; exiting so the supervisor restarts the process`,
      );
      process.exit(1);
    }
    const backoffMs = FATAL_RESTART_BACKOFF_MS[Math.min(fatalRestarts, FATAL_RESTART_BACKOFF_MS.length - 1)];
    fatalRestarts += 1;
    logger.warn(`Running the consumer again in ${backoffMs} ms (restart ${fatalRestarts} of ${MAX_FATAL_RESTARTS})`);
    await sleep(backoffMs);
    if (stopped) return;
    // kafkajs has disconnected the crashed consumer; its subscriptions are kept, so run() joins again.
    await run(runConfig).catch((error: Error) => {
      logger.error(`Running the consumer again failed: ${error.message}`);
      return runAgain();
    });
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error(`Consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
    if (!payload.restart) void runAgain();
  });
  return consumer;
}
