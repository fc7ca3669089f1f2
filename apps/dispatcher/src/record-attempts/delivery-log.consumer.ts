import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { AppConfig } from '@app/config';
import { ConsumerGroup, DeliveryLogsContract, DeliveryLogV1, TOPIC_OF_GROUP } from '@app/contracts';
import { BatchConsumer, createManagedConsumer, DeadLetterPublisher } from '@app/kafka';
import { isDatabaseUnavailable } from '@app/persistence';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { PersistDeliveryLogsUseCase } from './persist-delivery-logs.usecase';

/** Log events persisted per round of writes. */
const PERSIST_SLICE = 100;

/**
 * The log writer: reads delivery-log events and persists them to MongoDB a slice at a time. Offsets are
 * committed only after the slice is stored, so a crash replays it (and the writes are idempotent).
 */
@Injectable()
export class DeliveryLogConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryLogConsumer.name);
  private consumer?: Consumer;
  private readonly batches: BatchConsumer<DeliveryLogV1>;

  constructor(
    private readonly config: AppConfig,
    persist: PersistDeliveryLogsUseCase,
    deadLetters: DeadLetterPublisher,
    metrics: DispatcherMetrics,
  ) {
    this.batches = new BatchConsumer({
      contract: DeliveryLogsContract,
      deadLetters,
      logger: this.logger,
      sliceSize: PERSIST_SLICE,
      handleSlice: (messages) => persist.execute(messages.map(({ value }) => value)),
      onDeadLettered: (_message, topic) => metrics.deadLettered.inc({ topic }),
      isDependencyUnavailable: isDatabaseUnavailable,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = createManagedConsumer(this.config, 'log-writer', { groupId: ConsumerGroup.LogWriter });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPIC_OF_GROUP[ConsumerGroup.LogWriter], fromBeginning: true });
    await this.consumer.run({ partitionsConsumedConcurrently: 2, eachBatch: this.batches.eachBatch });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
