import { Injectable, Logger } from '@nestjs/common';
import { CoalescingQueue, untilAvailable } from '@app/common';
import { DeliveryLogsContract, DeliveryLogV1 } from '@app/contracts';
import { KafkaProducer } from '@app/kafka';
import { traceHeaders } from '@app/observability';
import {
  asTenantId,
  DeliveryAttemptRepository,
  RetryJobOutcome,
  RetryJobRepository,
  WebhookRepository,
} from '@app/persistence';
import { EmitEndpointDisabledUseCase } from '../operational-events/emit-endpoint-disabled.usecase';
import { RecentHealthWrites } from './recent-health-writes';
import { WebhookEffect } from './webhook-effect';

interface FinishedAttempt {
  log: DeliveryLogV1;
  effect: WebhookEffect | null;
  /** The delivery's trace context: a flush publishes many deliveries' logs, each in its own trace. */
  traceHeaders?: Record<string, string>;
}

/** Records per flush; one Kafka request and two MongoDB round trips cover them all. */
const FLUSH_BATCH = 1_000;

/**
 * Finishes attempts in batches: stores the attempts (an outbox: each holds its delivery-log event, and a
 * stored attempt is what marks its claim done), counts bulk-retry outcomes, then publishes the events
 * (acks=all), then applies webhook side effects (410, auto-disable, failure streaks). Only once the events
 * are acknowledged does the command's offset move. A crash before the attempt is stored re-sends the
 * webhook (the one duplicate window; receivers dedupe on webhook-id); a crash after it re-sends nothing,
 * and the replaying dispatcher publishes the stored event.
 */
@Injectable()
export class AttemptRecorder {
  private readonly logger = new Logger(AttemptRecorder.name);
  private readonly finished = new CoalescingQueue<FinishedAttempt>(FLUSH_BATCH, (batch) => this.flush(batch));
  private readonly healthWrites = new RecentHealthWrites();

  constructor(
    private readonly producer: KafkaProducer,
    private readonly attempts: DeliveryAttemptRepository,
    private readonly retryJobs: RetryJobRepository,
    private readonly webhooks: WebhookRepository,
    private readonly endpointDisabled: EmitEndpointDisabledUseCase,
  ) {}

  record(log: DeliveryLogV1, effect: WebhookEffect | null): Promise<void> {
    return this.finished.push({ log, effect, traceHeaders: traceHeaders() });
  }

  /** Publishes log events again, for replayed commands whose attempts a crashed dispatcher stored. */
  async republish(logs: DeliveryLogV1[]): Promise<void> {
    const headers = traceHeaders();
    await this.publishLogs(logs, () => headers);
  }

  private async flush(batch: FinishedAttempt[]): Promise<void> {
    const logs = batch.map(({ log }): DeliveryLogV1 => ({ ...log, stored: true }));
    const added = await untilAvailable(this.logger, 'Storing attempts', () => this.attempts.insertLogs(logs));
    // Job counters are not idempotent: only the attempts this flush stored count, once.
    const outcomes = retryJobOutcomesOf(logs, new Set(added));
    await untilAvailable(this.logger, 'Counting bulk-retry outcomes', () => this.retryJobs.addOutcomes(outcomes));
    await this.publishLogs(logs, (index) => batch[index].traceHeaders);
    await untilAvailable(this.logger, 'Updating webhook health', () =>
      this.applyEffects(batch.flatMap(({ effect }) => (effect ? [effect] : []))),
    );
  }

  /** Keyed by event (the contract's key): one writer at a time rolls up an event's status from all of its deliveries. */
  private async publishLogs(
    logs: DeliveryLogV1[],
    headersOf: (index: number) => Record<string, string> | undefined,
  ): Promise<void> {
    await untilAvailable(this.logger, 'Publishing delivery logs', () =>
      this.producer.publish(DeliveryLogsContract, logs, {
        headersOf,
        // Skipped, not retried: the attempt is stored, and retrying could never make the log valid.
        onRefused: (log, reason) =>
          this.logger.error({ attemptId: log.attemptId, eventId: log.eventId, reason }, 'Delivery log not published'),
      }),
    );
  }

  /**
   * One statement per webhook per flush, all in one bulk write, and none for an outcome this process
   * wrote lately (RecentHealthWrites): disabling wins, otherwise the newest outcome counts.
   */
  private async applyEffects(effects: WebhookEffect[]): Promise<void> {
    const perWebhook = new Map<string, WebhookEffect>();
    for (const effect of effects) {
      const earlier = perWebhook.get(effect.webhookId);
      if (!earlier || (!earlier.disableReason && (effect.disableReason || effect.at >= earlier.at)))
        perWebhook.set(effect.webhookId, effect);
    }
    const worth = this.healthWrites.worthWriting([...perWebhook.values()]);
    await this.webhooks.applyHealth(worth.map((effect) => ({ ...effect, tenantId: asTenantId(effect.tenantId) })));
    this.healthWrites.wrote(worth);
    // After the write, and again whenever this whole step is retried: the use case tells what it disabled.
    await this.endpointDisabled.execute(worth);
  }
}

/** Delivered and failed attempts per bulk retry job, among the attempts just stored. */
export function retryJobOutcomesOf(logs: DeliveryLogV1[], added: Set<string>): RetryJobOutcome[] {
  const counts = new Map<string, RetryJobOutcome>();
  for (const log of logs) {
    // Taken out of the set: a log twice in one flush counts once.
    if (!log.retryJobId || !added.delete(log.attemptId)) continue;
    const key = `${log.tenantId}:${log.retryJobId}`;
    const entry = counts.get(key) ?? { tenantId: log.tenantId, jobId: log.retryJobId, delivered: 0, failed: 0 };
    if (log.success) entry.delivered += 1;
    else entry.failed += 1;
    counts.set(key, entry);
  }
  return [...counts.values()];
}
