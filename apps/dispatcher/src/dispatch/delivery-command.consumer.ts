import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { sleep } from '@app/common';
import { AppConfig } from '@app/config';
import {
  ConsumerGroup,
  DeliveryCommand,
  DeliveryCommandsContract,
  DeliveryCommandV1,
  DeliveryTrigger,
  kafkaSourceIdOf,
  TOPIC_OF_GROUP,
} from '@app/contracts';
import { BatchConsumer, ConsumedMessage, createManagedConsumer, DeadLetterPublisher } from '@app/kafka';
import { bindTraceContext, traceContextOf } from '@app/observability';
import { isDatabaseUnavailable } from '@app/persistence';
import { DeliveryPolicy } from '../policy/delivery-policy';
import { AbandonedDeliveryError } from './abandoned-delivery';
import { DispatchCommandsUseCase, UndeliverableCommandError } from './dispatch-commands.usecase';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { OffsetTracker } from './offset-tracker';
import { PartitionLeases } from './partition-leases';

/** How often finished offsets are committed. A crash replays at most this much finished work (its stored attempts skip it). */
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
  private readonly batches: BatchConsumer<DeliveryCommandV1>;
  private consumer!: Consumer;
  private commitTimer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly dispatch: DispatchCommandsUseCase,
    deadLetters: DeadLetterPublisher,
    private readonly metrics: DispatcherMetrics,
    private readonly policy: DeliveryPolicy,
    private readonly leases: PartitionLeases,
  ) {
    this.maxInFlight = config.get('DISPATCHER_MAX_IN_FLIGHT');
    // Each slice is handed over and released at once, so the partition keeps flowing while its deliveries
    // run; heartbeats keep a large batch on a slow database from outliving the session timeout.
    this.batches = new BatchConsumer({
      contract: DeliveryCommandsContract,
      deadLetters,
      logger: this.logger,
      sliceSize: DISPATCH_SLICE,
      beforeSlice: (messages, topic, partition) => {
        for (const message of messages) this.tracker.track(topic, partition, message.offset);
      },
      handleSlice: (messages, { topic, partition }) => this.dispatchSlice(topic, partition, messages),
      onDeadLettered: (message, topic, partition) => this.deadLettered(topic, partition, message.offset),
      // Never committed past: the partition's next owner dispatches them (stored attempts skip what was sent).
      onSliceDropped: (messages, topic, partition) => {
        for (const message of messages) this.tracker.abandon(topic, partition, message.offset);
      },
      afterSlice: (heartbeat) => {
        this.metrics.inFlight.set(this.tracker.inFlightCount);
        return this.whileTooMuchInFlight(heartbeat);
      },
      isDependencyUnavailable: isDatabaseUnavailable,
      isStopping: () => this.stopping,
    });
  }

  /**
   * Started and not draining for shutdown. It stays true while a crashed consumer is being run again
   * (kafkajs or createManagedConsumer); one that cannot recover exits the process instead.
   */
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
      this.leases.retainOnly(assigned);
      this.logger.log(`Assigned partitions ${assigned.map(({ partition }) => partition).join(',') || 'none'}`);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPIC_OF_GROUP[ConsumerGroup.Dispatcher], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: this.batches.eachBatch,
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
    this.leases.stopTaking();
    const deadline = Date.now() + this.policy.deliveryLeaseMs + SHUTDOWN_RECORDING_GRACE_MS;
    while (this.tracker.inFlightCount > 0 && Date.now() < deadline) {
      await sleep(50);
    }
    clearInterval(this.commitTimer);
    this.commitTimer = undefined;
    await this.commit();
    await this.leases
      .releaseAll()
      .catch((error: Error) => this.logger.warn(`Partition leases not given back: ${error.message}`));
    await this.consumer.disconnect();
    this.logger.log(`Left the consumer group with ${this.tracker.inFlightCount} deliveries unfinished`);
  }

  /** Back-pressure: takes no more work while too much is in flight; heartbeats keep the membership. */
  private async whileTooMuchInFlight(heartbeat: () => Promise<void>): Promise<void> {
    if (this.tracker.inFlightCount < this.maxInFlight || this.stopping) return;
    this.metrics.waitingPartitions.inc({ cap: 'max_in_flight' });
    try {
      while (this.tracker.inFlightCount >= this.maxInFlight && !this.stopping) {
        await sleep(25);
        await heartbeat();
      }
    } finally {
      this.metrics.waitingPartitions.dec({ cap: 'max_in_flight' });
    }
  }

  /** Starts the slice's deliveries; each offset is done once its delivery finishes or is dead-lettered. */
  private async dispatchSlice(
    topic: string,
    partition: number,
    messages: ConsumedMessage<DeliveryCommandV1>[],
  ): Promise<void> {
    const commands = messages.map(({ message, value }) => {
      const command = withDefaults(value, topic, partition, message.offset);
      // Its deliveries are traced as children of the message's processing span.
      bindTraceContext(command, traceContextOf(message));
      return { command, message };
    });
    const lease = await this.leases.hold(topic, partition);
    if (!lease) {
      // Shutting down before the partition was ours: its next owner dispatches the slice.
      for (const { message } of messages) this.tracker.abandon(topic, partition, message.offset);
      return;
    }
    const completions = await this.dispatch.execute(
      commands.map(({ command }) => command),
      lease,
    );
    completions.forEach((completion, index) => {
      const { message, command } = commands[index];
      completion.then(
        () => this.tracker.done(topic, partition, message.offset),
        (error: Error) => {
          if (error instanceof AbandonedDeliveryError) {
            this.tracker.abandon(topic, partition, message.offset);
            return;
          }
          if (!(error instanceof UndeliverableCommandError)) {
            this.logger.error({ commandId: command.commandId, eventId: command.eventId }, error.stack);
          }
          // The slice was released long ago: dead-lettering does not wait on the partition.
          void this.batches.deadLetter(topic, partition, message, error.message);
        },
      );
    });
  }

  private deadLettered(topic: string, partition: number, offset: string): void {
    this.metrics.deadLettered.inc({ topic });
    this.tracker.done(topic, partition, offset);
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
    commandId: command.commandId ?? kafkaSourceIdOf(topic, partition, offset),
    trigger: command.trigger ?? DeliveryTrigger.Manual,
  };
}
