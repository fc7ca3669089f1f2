import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload } from 'kafkajs';
import { AppConfig } from '@app/config';
import { ConsumerGroup, DeliveryLogV1, TOPIC_OF_GROUP } from '@app/contracts';
import { createManagedConsumer, withHeartbeats, DeadLetterPublisher } from '@app/kafka';
import { untilAvailable } from '@app/common';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { parseDeliveryLog } from '@app/contracts';
import { PersistDeliveryLogsUseCase } from './persist-delivery-logs.usecase';

/** Log events persisted per round of writes. */
const PERSIST_SLICE = 100;

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
    this.consumer = createManagedConsumer(this.config, 'log-writer', { groupId: ConsumerGroup.LogWriter });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPIC_OF_GROUP[ConsumerGroup.LogWriter], fromBeginning: true });
    await this.consumer.run({ partitionsConsumedConcurrently: 2, eachBatch: (payload) => this.onBatch(payload) });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }

  /**
   * Persists the batch a slice at a time, marking each slice's offsets and heartbeating between slices:
   * a large batch on a slow database must not outlive the session timeout, or the member is dropped and
   * the whole group stops for a rebalance.
   */
  private async onBatch({ batch, heartbeat, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (let start = 0; start < batch.messages.length; start += PERSIST_SLICE) {
      if (!isRunning() || isStale()) return;
      const slice = batch.messages.slice(start, start + PERSIST_SLICE);
      const logs: DeliveryLogV1[] = [];
      for (const message of slice) {
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
      await withHeartbeats(heartbeat, () =>
        untilAvailable(this.logger, 'Persisting delivery logs', () => this.persist.execute(logs)),
      );
      resolveOffset(slice[slice.length - 1].offset);
      await heartbeat();
    }
  }
}
