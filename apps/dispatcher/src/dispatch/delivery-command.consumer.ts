import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { AppConfig } from '@app/config';
import {
  ConsumerGroup,
  DeliveryCommand,
  DeliveryCommandV1,
  DeliveryTrigger,
  parseMessage,
  TOPIC_OF_GROUP,
} from '@app/contracts';
import { createManagedConsumer, withHeartbeats, DeadLetterPublisher } from '@app/kafka';
import { DeliveryPolicy } from '../policy/delivery-policy';
import {
  AbandonedOnShutdownError,
  DispatchCommandsUseCase,
  UndeliverableCommandError,
} from './dispatch-commands.usecase';
import { untilAvailable } from '@app/common';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { OffsetTracker } from './offset-tracker';

/** How often finished offsets are committed. A crash replays at most this much finished work (claims skip it). */
const COMMIT_INTERVAL_MS = 500;
/** Commands planned per round of database lookups. */
const DISPATCH_SLICE = 250;
/** At shutdown, time beyond one request's lease for the last attempts' logs to reach Kafka. */
export const SHUTDOWN_RECORDING_GRACE_MS = 5_000;

/**
 * Reads delivery commands. A batch is validated, handed to the dispatch use case and released at once,
 * so the partition keeps flowing while its deliveries run; offsets are committed only up to the oldest
 * unfinished one (OffsetTracker). Invalid or undeliverable commands go to the dead-letter topic.
 */
@Injectable()
export class DeliveryCommandConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryCommandConsumer.name);
  private readonly tracker = new OffsetTracker();
  private readonly maxInFlight: number;
  private consumer!: Consumer;
  private commitTimer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly dispatch: DispatchCommandsUseCase,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: DispatcherMetrics,
    private readonly policy: DeliveryPolicy,
  ) {
    this.maxInFlight = config.get('DISPATCHER_MAX_IN_FLIGHT');
  }

  get isRunning(): boolean {
    return this.commitTimer !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = createManagedConsumer(this.config, 'dispatcher', { groupId: ConsumerGroup.Dispatcher });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      this.tracker.retainOnly(assigned);
      this.logger.log(`Assigned partitions ${assigned.map(({ partition }) => partition).join(',') || 'none'}`);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPIC_OF_GROUP[ConsumerGroup.Dispatcher], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.commitTimer = setInterval(() => void this.commit(), COMMIT_INTERVAL_MS);
  }

  /**
   * SIGTERM: stop fetching and stop starting deliveries; those already on the wire finish and are
   * recorded. Then commit what is finished and leave the group. Unstarted commands stay uncommitted,
   * so the partition's next owner delivers them: nothing is sent twice and nothing is lost.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.consumer) return;
    this.stopping = true;
    this.consumer.pause([{ topic: TOPIC_OF_GROUP[ConsumerGroup.Dispatcher] }]);
    this.dispatch.stopStarting();
    const deadline = Date.now() + this.policy.claimLeaseMs + SHUTDOWN_RECORDING_GRACE_MS;
    while (this.tracker.inFlightCount > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    clearInterval(this.commitTimer);
    this.commitTimer = undefined;
    await this.commit();
    await this.consumer.disconnect();
    this.logger.log(`Left the consumer group with ${this.tracker.inFlightCount} deliveries unfinished`);
  }

  /**
   * Hands the batch to the dispatch use case a slice at a time and releases each slice at once, so the
   * partition keeps flowing while its deliveries run. Heartbeats between slices keep a large batch on a
   * slow database from outliving the session timeout (which would stop the whole group for a rebalance).
   */
  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    for (let start = 0; start < batch.messages.length; start += DISPATCH_SLICE) {
      if (!isRunning() || isStale() || this.stopping) return;
      const slice = batch.messages.slice(start, start + DISPATCH_SLICE);
      await withHeartbeats(heartbeat, () => this.dispatchSlice(topic, partition, slice));
      resolveOffset(slice[slice.length - 1].offset);
      this.metrics.inFlight.set(this.tracker.inFlightCount);
      await this.whileTooMuchInFlight(heartbeat);
      await heartbeat();
    }
  }

  /** Back-pressure: takes no more work while too much is in flight; heartbeats keep the membership. */
  private async whileTooMuchInFlight(heartbeat: () => Promise<void>): Promise<void> {
    if (this.tracker.inFlightCount < this.maxInFlight || this.stopping) return;
    this.metrics.waitingPartitions.inc({ cap: 'max_in_flight' });
    try {
      while (this.tracker.inFlightCount >= this.maxInFlight && !this.stopping) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        await heartbeat();
      }
    } finally {
      this.metrics.waitingPartitions.dec({ cap: 'max_in_flight' });
    }
  }

  private async dispatchSlice(topic: string, partition: number, messages: KafkaMessage[]): Promise<void> {
    const commands: { command: DeliveryCommand; message: KafkaMessage }[] = [];
    for (const message of messages) {
      this.tracker.track(topic, partition, message.offset);
      const parsed = parseMessage(DeliveryCommandV1, message.value);
      if (parsed.ok) {
        commands.push({ command: withDefaults(parsed.value, topic, partition, message.offset), message });
      } else {
        void this.deadLetter(topic, partition, message, parsed.reason);
      }
    }
    if (commands.length === 0) return;
    const completions = await this.dispatch.execute(commands.map(({ command }) => command));
    completions.forEach((completion, index) => {
      const { message, command } = commands[index];
      completion.then(
        () => this.tracker.done(topic, partition, message.offset),
        (error: Error) => {
          if (error instanceof AbandonedOnShutdownError) {
            this.tracker.abandon(topic, partition, message.offset);
            return;
          }
          if (!(error instanceof UndeliverableCommandError)) {
            this.logger.error({ commandId: command.commandId, eventId: command.eventId }, error.stack);
          }
          void this.deadLetter(topic, partition, message, error.message);
        },
      );
    });
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string): Promise<void> {
    await untilAvailable(this.logger, 'Dead-lettering a command', () =>
      this.deadLetters.publish(topic, partition, message, reason),
    );
    this.metrics.deadLettered.inc({ topic });
    this.tracker.done(topic, partition, message.offset);
  }

  private async commit(): Promise<void> {
    this.metrics.inFlight.set(this.tracker.inFlightCount);
    const offsets = this.tracker.committable();
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
      this.tracker.markCommitted(offsets);
    } catch (error) {
      // Typically a rebalance took the partition away; its new owner replays from the last commit.
      this.logger.warn(`Offset commit failed: ${(error as Error).message}`);
    }
  }
}

/** Fills in what a publisher may leave out: the command id comes from the message's Kafka coordinates. */
function withDefaults(command: DeliveryCommandV1, topic: string, partition: number, offset: string): DeliveryCommand {
  return {
    ...command,
    commandId: command.commandId ?? `kafka:${topic}:${partition}:${offset}`,
    trigger: command.trigger ?? DeliveryTrigger.Manual,
  };
}
