import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { AppConfig } from '@app/config';
import { ConsumerGroup, EventPublishedV1, parseMessage, TOPIC_OF_GROUP } from '@app/contracts';
import { createManagedConsumer, DeadLetterPublisher } from '@app/kafka';
import {
  IngestOutcome,
  IngestPublishedEventUseCase,
} from './usecases/ingest-published-event/ingest-published-event.usecase';

/** Partitions one API process works on at once; within a partition, messages are taken in order. */
const PARTITIONS_AT_ONCE = 4;
/** Back-off while MongoDB or Kafka is away: the message waits, it is not dead-lettered. */
const FIRST_WAIT_MS = 200;
const LONGEST_WAIT_MS = 5_000;

/**
 * Events other services publish to `webhooks.events.v1`. Each message is validated against its contract
 * class, then handed to the same creation use case as `POST /v1/webhooks/events`; a message that can
 * never succeed goes to the dead-letter topic with the reason, and the partition moves on. An offset is
 * resolved only once its message is created or dead-lettered, so a crash or a rebalance replays it (and
 * the idempotency key makes the replay create nothing).
 */
@Injectable()
export class EventIntakeConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventIntakeConsumer.name);
  private consumer?: Consumer;

  constructor(
    private readonly config: AppConfig,
    private readonly ingest: IngestPublishedEventUseCase,
    private readonly deadLetters: DeadLetterPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = createManagedConsumer(this.config, 'event-intake', { groupId: ConsumerGroup.EventIntake });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPIC_OF_GROUP[ConsumerGroup.EventIntake], fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const owned = () => isRunning() && !isStale();
    for (const message of batch.messages) {
      if (!owned()) return;
      const source = `kafka:${batch.topic}:${batch.partition}:${message.offset}`;
      const parsed = parseMessage(EventPublishedV1, message.value);
      const outcome: IngestOutcome | undefined = parsed.ok
        ? await this.persistently(source, owned, heartbeat, () =>
            this.ingest.execute({ message: parsed.value, source }),
          )
        : { kind: 'rejected', reason: parsed.reason };
      if (!outcome) return; // stopping or rebalancing: the next owner of the partition takes it from here
      if (outcome.kind === 'rejected') {
        const sent = await this.persistently(source, owned, heartbeat, () =>
          this.deadLetters.publish(batch.topic, batch.partition, message, outcome.reason).then(() => true),
        );
        if (!sent) return;
      } else {
        this.logEvent(source, message, outcome);
      }
      resolveOffset(message.offset);
      await heartbeat();
    }
  }

  /** Runs `work` until it succeeds, or resolves undefined once this process no longer owns the partition. */
  private async persistently<T>(
    source: string,
    owned: () => boolean,
    heartbeat: () => Promise<void>,
    work: () => Promise<T>,
  ): Promise<T | undefined> {
    for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
      try {
        return await work();
      } catch (error) {
        this.logger.warn({ source, err: error }, `Taking in ${source} failed, retrying in ${wait} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (!owned()) return undefined;
      await heartbeat();
    }
  }

  private logEvent(source: string, message: KafkaMessage, outcome: Exclude<IngestOutcome, { kind: 'rejected' }>) {
    const { eventId, webhookCount } = outcome.event;
    const note = outcome.kind === 'created' ? 'Published event created' : 'Published event already known';
    this.logger.log({ source, eventId, webhookCount, key: message.key?.toString() ?? null }, note);
  }
}
