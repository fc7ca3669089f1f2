import { Logger } from '@nestjs/common';
import { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { sleep } from '@app/common';
import { TopicContract } from '@app/contracts';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { isKafkaUnavailable } from './kafka-unavailable';
import { traceSlice } from './message-tracing';
import { withHeartbeats } from './with-heartbeats';

/** Back-off while a dependency is away: the slice waits, it is neither skipped nor dead-lettered. */
const FIRST_WAIT_MS = 200;
const LONGEST_WAIT_MS = 5_000;

/** A message that passed its topic's contract. */
export interface ConsumedMessage<T> {
  message: KafkaMessage;
  value: T;
}

export interface SliceContext {
  topic: string;
  partition: number;
  /**
   * Dead-letters one message of the slice, for a handler that knows it can never succeed. Throws
   * PartitionLostError if the partition was taken away meanwhile: the handler should let it through.
   */
  deadLetter(message: KafkaMessage, reason: string): Promise<void>;
}

export interface BatchConsumerOptions<T> {
  contract: TopicContract<T>;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  /** Messages handed to `handleSlice` at once; the offset is resolved and the group heartbeated after each. */
  sliceSize: number;
  /**
   * Handles a slice's valid messages. Resolving means done: the slice's offsets are resolved. Throwing an
   * error that means a dependency is unavailable retries the slice with backoff; any other error is the
   * messages' fault, so the slice is bisected down to the message(s) that fail, which are dead-lettered.
   * Handlers must therefore be idempotent (a bisected slice is handled again in parts).
   */
  handleSlice(messages: ConsumedMessage<T>[], context: SliceContext): Promise<void>;
  /** Per-message hook, before the message is parsed (e.g. to pick up trace context from its headers). */
  onMessage?(message: KafkaMessage, topic: string, partition: number): void;
  /** Every message of a slice, valid or not, before anything is done with it. */
  beforeSlice?(messages: KafkaMessage[], topic: string, partition: number): void;
  /**
   * A slice left unfinished because the partition was lost or the consumer is stopping while it waited
   * on a dependency: its offsets stay unresolved, for the partition's next owner.
   */
  onSliceDropped?(messages: KafkaMessage[], topic: string, partition: number): void;
  /** After a message is in the dead-letter topic. */
  onDeadLettered?(message: KafkaMessage, topic: string, partition: number): void;
  /** After a slice's offsets were resolved, before the next slice (e.g. back-pressure, heartbeating while it waits). */
  afterSlice?(heartbeat: () => Promise<void>): Promise<void>;
  /** Errors besides Kafka's that mean "a dependency is unavailable", e.g. isDatabaseUnavailable. */
  isDependencyUnavailable?(error: unknown): boolean;
  /** true once the consumer is shutting down: no further slice starts. */
  isStopping?(): boolean;
}

/** The partition was revoked or the consumer stopped while a slice waited: leave it unresolved for its next owner. */
export class PartitionLostError extends Error {
  constructor() {
    super('The partition is no longer owned by this consumer');
    this.name = 'PartitionLostError';
  }
}

/**
 * The one consumer loop: every consumer's `eachBatch` is `new BatchConsumer(options).eachBatch`. It
 * slices the batch, heartbeats the group while a slice is handled, parses each message with the topic's
 * contract (an invalid one is dead-lettered with the reason), retries a slice only while a dependency
 * (MongoDB, Kafka) is unavailable, and isolates a poison message that makes the handler fail otherwise
 * by bisecting the slice: that message is dead-lettered with the handler's error and the partition moves
 * on. Offsets are resolved slice by slice, only once every message of the slice is handled or
 * dead-lettered; whether and when they are committed is the consumer's run configuration.
 */
export class BatchConsumer<T> {
  constructor(private readonly options: BatchConsumerOptions<T>) {}

  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const owned = () => isRunning() && !isStale() && !this.options.isStopping?.();
    const context: SliceContext = {
      topic,
      partition,
      deadLetter: async (message, reason) => {
        if (!(await this.deadLetterWhileOwned(topic, partition, message, reason, owned, heartbeat)))
          throw new PartitionLostError();
      },
    };
    for (let start = 0; start < batch.messages.length; start += this.options.sliceSize) {
      if (!owned()) return;
      const slice = batch.messages.slice(start, start + this.options.sliceSize);
      this.options.beforeSlice?.(slice, topic, partition);
      // A processing span per message, in the trace its traceparent header names: handlers run a message's
      // own work in traceContextOf(message). They end once the slice is handled or dead-lettered.
      const traced = traceSlice(topic, partition, slice);
      const handled = await this.handleSlice(slice, context, owned, heartbeat).finally(() => traced?.end());
      if (!handled) {
        this.options.onSliceDropped?.(slice, topic, partition);
        return;
      }
      resolveOffset(slice[slice.length - 1].offset);
      await this.options.afterSlice?.(heartbeat);
      await heartbeat();
    }
  };

  /** Parses the slice (dead-lettering what breaks the contract) and handles the rest; false if the partition was lost. */
  private async handleSlice(
    slice: KafkaMessage[],
    context: SliceContext,
    owned: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const { topic, partition } = context;
    const valid: ConsumedMessage<T>[] = [];
    for (const message of slice) {
      this.options.onMessage?.(message, topic, partition);
      const parsed = this.options.contract.parse(message.value);
      if (parsed.ok) valid.push({ message, value: parsed.value });
      else if (!(await this.deadLetterWhileOwned(topic, partition, message, parsed.reason, owned, heartbeat)))
        return false;
    }
    return valid.length === 0 || this.handle(valid, context, owned, heartbeat);
  }

  /**
   * Sends a message to the dead-letter topic, retrying until Kafka takes it: for work finished after its
   * batch was released (the dispatcher's deliveries), which has no partition ownership to wait on.
   */
  async deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string): Promise<void> {
    await this.deadLetterWhileOwned(
      topic,
      partition,
      message,
      reason,
      () => true,
      async () => undefined,
    );
  }

  /** true once the messages are handled or dead-lettered; false if the partition was lost meanwhile. */
  private async handle(
    messages: ConsumedMessage<T>[],
    context: SliceContext,
    owned: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
      try {
        await withHeartbeats(heartbeat, () => this.options.handleSlice(messages, context));
        return true;
      } catch (error) {
        if (error instanceof PartitionLostError) return false;
        if (!this.isUnavailable(error)) return this.isolatePoison(messages, error as Error, context, owned, heartbeat);
        this.options.logger.warn(
          `Handling ${messages.length} message(s) of ${context.topic}[${context.partition}] failed, a dependency is unavailable; retrying in ${wait} ms: ${(error as Error).message}`,
        );
      }
      await sleep(wait);
      if (!owned()) return false;
      await heartbeat();
    }
  }

  /** Halves a failing slice until the failing message is alone, then dead-letters it with the error. */
  private async isolatePoison(
    messages: ConsumedMessage<T>[],
    error: Error,
    context: SliceContext,
    owned: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const { topic, partition } = context;
    if (messages.length === 1) {
      const [{ message }] = messages;
      this.options.logger.error(
        { topic, partition, offset: message.offset, err: error },
        'Handler failed on a message',
      );
      return this.deadLetterWhileOwned(topic, partition, message, `handler failed: ${error.message}`, owned, heartbeat);
    }
    const middle = Math.ceil(messages.length / 2);
    for (const half of [messages.slice(0, middle), messages.slice(middle)]) {
      if (!owned() || !(await this.handle(half, context, owned, heartbeat))) return false;
    }
    return true;
  }

  private async deadLetterWhileOwned(
    topic: string,
    partition: number,
    message: KafkaMessage,
    reason: string,
    owned: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    // Only Kafka is involved, so any failure is Kafka being away: retry it.
    for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
      try {
        await this.options.deadLetters.publish(topic, partition, message, reason);
        this.options.onDeadLettered?.(message, topic, partition);
        return true;
      } catch (error) {
        this.options.logger.warn(
          `Dead-lettering ${topic}[${partition}]@${message.offset} failed, retrying in ${wait} ms: ${(error as Error).message}`,
        );
      }
      await sleep(wait);
      if (!owned()) return false;
      await heartbeat();
    }
  }

  private isUnavailable(error: unknown): boolean {
    return isKafkaUnavailable(error) || (this.options.isDependencyUnavailable?.(error) ?? false);
  }
}
