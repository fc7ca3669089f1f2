import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload } from 'kafkajs';
import { AppConfig } from '@app/config';
import { ConsumerGroup, DeliveryLogV1, KafkaTopic } from '@app/contracts';
import { createManagedConsumer, DeadLetterPublisher } from '@app/kafka';
import { untilAvailable } from '../delivery/until-available';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { parseDeliveryLog } from './parse-delivery-log';
import { PersistDeliveryLogsUseCase } from './persist-delivery-logs.usecase';

/**
 * The log writer: reads delivery-log events and persists them to MongoDB a batch at a time. Offsets are
 * committed only after the batch is stored, so a crash replays it (and the writes are idempotent).
 */
@Injectable()
export class DeliveryLogConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryLogConsumer.name);
  private consumer?: Consumer;

  constructor(
    private readonly config: AppConfig,
    private readonly persist: PersistDeliveryLogsUseCase,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: DispatcherMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = createManagedConsumer(this.config, 'log-writer', {
      groupId: ConsumerGroup.LogWriter,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: KafkaTopic.DeliveryLogs, fromBeginning: true });
    await this.consumer.run({ partitionsConsumedConcurrently: 2, eachBatch: (payload) => this.onBatch(payload) });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async onBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const logs: DeliveryLogV1[] = [];
    for (const message of batch.messages) {
      const parsed = parseDeliveryLog(message.value);
      if (parsed.ok) {
        logs.push(parsed.value);
        continue;
      }
      await untilAvailable(this.logger, 'Dead-lettering a delivery log', () =>
        this.deadLetters.publish(batch.topic, batch.partition, message, parsed.reason),
      );
      this.metrics.deadLettered.inc({ topic: batch.topic });
    }
    await untilAvailable(this.logger, 'Persisting delivery logs', () => this.persist.execute(logs));
    await heartbeat();
  }
}
