import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  attemptIdOf,
  automaticRetryCommandIdOf,
  DeliveryRequest,
  DeliveryStatus,
  DeliveryTrigger,
  initialCommandIdOf,
} from '@app/contracts';
import { AppConfig } from '@app/config';
import { DeliveryCommandPublisher } from '@app/kafka';
import { DeliveryAttemptRepository, DeliveryDocument, DeliveryRepository } from '@app/persistence';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';

/**
 * The retry scheduler looks for due retries at least this often. Each log writer wakes its own dispatcher's
 * scheduler for the retries it schedules, so this only bounds how late the retries of a dispatcher that
 * died are picked up by another one. Not shorter: on FerretDB the read still passes over every delivery
 * (SQLite checks the stored JSON: about 0.7 s of its CPU with 100,000 of them), where MongoDB reads an index.
 */
export const SCHEDULER_MAX_SLEEP_MS = 60_000;
/** How soon the scheduler tries again after a failed round (database or Kafka away). */
export const SCHEDULER_RETRY_AFTER_FAILURE_MS = 5_000;
/** Due retries one scheduler publishes per round. */
export const SCHEDULER_BATCH = 500;

/** Deliveries the stranded sweep sends again per round: a safety net, so it stays small next to the traffic. */
const STRANDED_BATCH = 100;
/** How often, at most, the scheduled retries are counted when a round's read could not tell (a scan on FerretDB). */
const GAUGE_COUNT_EVERY_MS = 60_000;

/**
 * Turns due automatic retries into delivery commands. Retries live in MongoDB (`deliveries.nextAttemptAt`),
 * so they survive restarts, redeploys and rebalances. Each dispatcher runs a scheduler; taking a retry is
 * a conditional write, so one of them publishes a given retry. A sweep publishes again the command of
 * deliveries left idle for STRANDED_DELIVERY_AFTER with nothing scheduled (see takeStranded). It sleeps
 * until the earliest due retry (at most SCHEDULER_MAX_SLEEP_MS, since another dispatcher may schedule an
 * earlier one), and the log writer wakes it early when it schedules one sooner.
 */
@Injectable()
export class RetryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetryScheduler.name);
  private timer?: NodeJS.Timeout;
  private wakeAt = Number.POSITIVE_INFINITY;
  /** The earliest wake-up asked for while a round ran: that round's read may have missed the retry. */
  private wakeAfterRound = Number.POSITIVE_INFINITY;
  private running = false;
  private stopped = false;
  private sweepTimer?: NodeJS.Timeout;
  private readonly strandedAfterMs: number;
  private countedAt = 0;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly attempts: DeliveryAttemptRepository,
    private readonly commands: DeliveryCommandPublisher,
    private readonly metrics: DispatcherMetrics,
    config: AppConfig,
  ) {
    this.strandedAfterMs = config.durationMs('STRANDED_DELIVERY_AFTER');
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
    // Every half of the idle time, so a stranded delivery goes out again within 1.5 times it. No more often:
    // the read scans the open deliveries on FerretDB.
    const sweepEveryMs = Math.max(this.strandedAfterMs / 2, 1_000);
    this.sweepTimer = setInterval(() => void this.redriveStranded(), sweepEveryMs);
    void this.redriveStranded();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.sweepTimer);
  }

  /** Makes sure the scheduler looks again no later than `dueAt`. */
  wakeBy(dueAt: Date): void {
    if (this.running) this.wakeAfterRound = Math.min(this.wakeAfterRound, dueAt.getTime());
    else if (dueAt.getTime() < this.wakeAt) this.schedule(Math.max(0, dueAt.getTime() - Date.now()));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.wakeAt = Date.now() + delayMs;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let nextDelay = SCHEDULER_MAX_SLEEP_MS;
    try {
      for (;;) {
        const { taken, nextDueAt, stillScheduled } = await this.deliveries.takeDue(new Date(), SCHEDULER_BATCH);
        await this.publishTaken(taken);
        if (stillScheduled !== null) this.metrics.scheduledRetries.set(stillScheduled);
        else if (taken.length < SCHEDULER_BATCH && Date.now() - this.countedAt >= GAUGE_COUNT_EVERY_MS)
          await this.refreshGauge();
        if (this.stopped) break;
        if (taken.length === SCHEDULER_BATCH) continue;
        if (nextDueAt) nextDelay = Math.min(nextDelay, Math.max(0, nextDueAt.getTime() - Date.now()));
        break;
      }
    } catch (error) {
      nextDelay = SCHEDULER_RETRY_AFTER_FAILURE_MS;
      this.logger.warn(`Retry scheduling round failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
      this.wakeAt = Number.POSITIVE_INFINITY;
      this.schedule(Math.min(nextDelay, Math.max(0, this.wakeAfterRound - Date.now())));
      this.wakeAfterRound = Number.POSITIVE_INFINITY;
    }
  }

  private async publishTaken(taken: DeliveryDocument[]): Promise<void> {
    if (taken.length === 0) return;
    try {
      await this.publish(taken);
    } catch (error) {
      // Not published: the rows get their due time back (or, should that fail too, the sweep re-drives them).
      await this.deliveries.restoreDue(taken).catch(() => undefined);
      throw error;
    }
  }

  private async publish(deliveries: DeliveryDocument[]): Promise<void> {
    await this.commands.publish(deliveries.map(commandFor));
  }

  private async redriveStranded(): Promise<void> {
    try {
      const now = new Date();
      const idleSince = new Date(now.getTime() - this.strandedAfterMs);
      const idle = await this.deliveries.takeStranded(idleSince, now, STRANDED_BATCH);
      // A command whose attempt a dispatcher stored is not lost, only not yet counted: the log writer is
      // behind (its attempt's log event is in Kafka). Sending it again would only add to that backlog.
      const made = new Set((await this.attempts.findByIds(idle.map(nextAttemptIdOf))).map(({ _id }) => _id));
      const stranded = idle.filter((delivery) => !made.has(nextAttemptIdOf(delivery)));
      if (stranded.length === 0) return;
      await this.publish(stranded);
      this.logger.warn(
        { deliveries: stranded.slice(0, 10).map(({ _id }) => _id), count: stranded.length },
        'Published again the commands of deliveries idle with nothing scheduled',
      );
    } catch (error) {
      this.logger.warn(`Stranded-delivery sweep failed: ${(error as Error).message}`);
    }
  }

  /** Counts the scheduled retries when the round's read could not (more of them than it fetched). */
  private async refreshGauge(): Promise<void> {
    this.countedAt = Date.now();
    try {
      this.metrics.scheduledRetries.set(await this.deliveries.countScheduled());
    } catch {
      // The gauge just keeps its last value while the database is away.
    }
  }
}

/** The id of the attempt the delivery's next command makes (see commandFor). */
function nextAttemptIdOf(delivery: DeliveryDocument): string {
  return attemptIdOf(nextCommandIdOf(delivery), delivery.webhookId);
}

/** The id of the command that drives the delivery's next attempt, as the first time it was published. */
function nextCommandIdOf(delivery: DeliveryDocument): string {
  return delivery.status === DeliveryStatus.Pending
    ? initialCommandIdOf(delivery.eventId, delivery.webhookId)
    : automaticRetryCommandIdOf(delivery._id, delivery.scheduledFailures);
}

/**
 * The command that drives a delivery's next attempt, with the id it had (or would have had) the first
 * time: a never-attempted delivery's initial command, or the retry of its current step in the schedule.
 */
function commandFor(delivery: DeliveryDocument): DeliveryRequest {
  // Only the initial or an automatic attempt moves a delivery out of pending; manual ones leave it there.
  const neverAttempted = delivery.status === DeliveryStatus.Pending;
  return {
    commandId: nextCommandIdOf(delivery),
    eventId: delivery.eventId,
    webhookId: delivery.webhookId,
    trigger: neverAttempted ? DeliveryTrigger.Initial : DeliveryTrigger.Automatic,
    requestedBy: 'retry-scheduler',
  };
}
