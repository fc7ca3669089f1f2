import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { AppConfig } from '@app/config';
import { ConsumerGroup, EventPublishedV1, EventsContract, kafkaSourceIdOf, TOPIC_OF_GROUP } from '@app/contracts';
import { BatchConsumer, ConsumedMessage, createManagedConsumer, DeadLetterPublisher, SliceContext } from '@app/kafka';
import { traceContextOf, withContext } from '@app/observability';
import { isDatabaseUnavailable } from '@app/persistence';
import { IngestPublishedEventUseCase } from './usecases/ingest-published-event/ingest-published-event.usecase';

/** Partitions one API process works on at once; within a partition, messages are taken in order. */
const PARTITIONS_AT_ONCE = 4;

/**
 * Events other services publish to `webhooks.events.v1`. Each message is validated against its topic
 * contract, then handed to the same creation use case as `POST /v1/webhooks/events`; a message that can
 * never succeed goes to the dead-letter topic with the reason, and the partition moves on. An offset is
 * resolved only once its message is created or dead-lettered (a slice of one), so a crash or a rebalance
 * replays it (and the idempotency key makes the replay create nothing).
 */
@Injectable()
export class EventIntakeConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventIntakeConsumer.name);
  private consumer?: Consumer;
  private readonly batches: BatchConsumer<EventPublishedV1>;

  constructor(
    private readonly config: AppConfig,
    private readonly ingest: IngestPublishedEventUseCase,
    deadLetters: DeadLetterPublisher,
  ) {
    this.batches = new BatchConsumer({
      contract: EventsContract,
      deadLetters,
      logger: this.logger,
      sliceSize: 1,
      handleSlice: (messages, context) => this.take(messages, context),
      isDependencyUnavailable: isDatabaseUnavailable,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = createManagedConsumer(this.config, 'event-intake', { groupId: ConsumerGroup.EventIntake });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPIC_OF_GROUP[ConsumerGroup.EventIntake], fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      eachBatchAutoResolve: false,
      eachBatch: this.batches.eachBatch,
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async take(messages: ConsumedMessage<EventPublishedV1>[], context: SliceContext): Promise<void> {
    for (const { message, value } of messages) {
      const source = kafkaSourceIdOf(context.topic, context.partition, message.offset);
      // In the message's trace: the commands it publishes continue it.
      const outcome = await withContext(traceContextOf(message), () => this.ingest.execute({ message: value, source }));
      if (outcome.kind === 'rejected') {
        await context.deadLetter(message, outcome.reason);
        continue;
      }
      const { eventId, webhookCount } = outcome.event;
      const note = outcome.kind === 'created' ? 'Published event created' : 'Published event already known';
      this.logger.log({ source, eventId, webhookCount, key: message.key?.toString() ?? null }, note);
    }
  }
}
