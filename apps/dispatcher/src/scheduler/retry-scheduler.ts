import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DeliveryCommandV1, DeliveryTrigger, KafkaTopic } from '@app/contracts';
import { KafkaProducer } from '@app/kafka';
import { DeliveryDocument, DeliveryRepository } from '@app/persistence';
import {
  SCHEDULER_BATCH,
  SCHEDULER_MAX_SLEEP_MS,
  STRANDED_RETRY_AFTER_MS,
  STRANDED_SWEEP_INTERVAL_MS,
} from '../delivery/delivery-policy';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';

/** How often the scheduled-retries gauge is refreshed (one count query). */
const GAUGE_INTERVAL_MS = 15_000;

/**
 * Turns due automatic retries into delivery commands. Retries live in MongoDB (`deliveries.nextAttemptAt`),
 * so they survive restarts, redeploys and rebalances. Each dispatcher runs a scheduler; taking a retry is
 * a conditional write, so one of them publishes a given retry. A sweep makes retries due again that a
 * scheduler took and then died before publishing. It sleeps until the earliest due retry (at most
 * SCHEDULER_MAX_SLEEP_MS, since another dispatcher may schedule an earlier one), and the log writer
 * wakes it early when it schedules one sooner.
 */
@Injectable()
export class RetryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetryScheduler.name);
  private timer?: NodeJS.Timeout;
  private wakeAt = Number.POSITIVE_INFINITY;
  private running = false;
  private stopped = false;
  private gaugeTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly producer: KafkaProducer,
    private readonly metrics: DispatcherMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
    this.gaugeTimer = setInterval(() => void this.refreshGauge(), GAUGE_INTERVAL_MS);
    this.sweepTimer = setInterval(() => void this.redriveStranded(), STRANDED_SWEEP_INTERVAL_MS);
    void this.redriveStranded();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.gaugeTimer);
    clearInterval(this.sweepTimer);
  }

  /** Makes sure the scheduler looks again no later than `dueAt`. */
  wakeBy(dueAt: Date): void {
    if (dueAt.getTime() < this.wakeAt) this.schedule(Math.max(0, dueAt.getTime() - Date.now()));
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
        const { taken, nextDueAt } = await this.deliveries.takeDue(new Date(), SCHEDULER_BATCH);
        await this.publishTaken(taken);
        if (this.stopped) break;
        if (taken.length === SCHEDULER_BATCH) continue;
        if (nextDueAt) nextDelay = Math.min(nextDelay, Math.max(0, nextDueAt.getTime() - Date.now()));
        break;
      }
    } catch (error) {
      this.logger.warn(`Retry scheduling round failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
      this.wakeAt = Number.POSITIVE_INFINITY;
      this.schedule(nextDelay);
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

  private async publish(due: DeliveryDocument[]): Promise<void> {
    await this.producer.sendAll(
      due.map((delivery) => {
        const command: DeliveryCommandV1 = {
          version: 1,
          // Deterministic: if this scheduler dies after publishing, the next one publishes the same id,
          // and the dispatcher's claim on (commandId, webhook) turns the duplicate into a no-op.
          commandId: `retry:${delivery._id}:${delivery.scheduledFailures}`,
          eventId: delivery.eventId,
          webhookId: delivery.webhookId,
          trigger: DeliveryTrigger.Automatic,
          requestedBy: 'retry-scheduler',
          requestedAt: new Date().toISOString(),
        };
        return { topic: KafkaTopic.DeliveryCommands, key: delivery.eventId, value: JSON.stringify(command) };
      }),
    );
  }

  private async redriveStranded(): Promise<void> {
    try {
      const now = new Date();
      const redriven = await this.deliveries.redriveStranded(
        new Date(now.getTime() - STRANDED_RETRY_AFTER_MS),
        now,
        SCHEDULER_BATCH,
      );
      if (redriven === 0) return;
      this.logger.warn({ redriven }, 'Retries taken but never attempted are due again');
      this.wakeBy(now);
    } catch (error) {
      this.logger.warn(`Stranded-retry sweep failed: ${(error as Error).message}`);
    }
  }

  private async refreshGauge(): Promise<void> {
    try {
      this.metrics.scheduledRetries.set(await this.deliveries.countScheduled());
    } catch {
      // The gauge just keeps its last value while the database is away.
    }
  }
}
