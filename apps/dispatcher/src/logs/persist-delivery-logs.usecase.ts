import { Injectable } from '@nestjs/common';
import { DeliveryLogV1 } from '@app/contracts';
import {
  asTenantId,
  DeliveryAttemptRepository,
  DeliveryRepository,
  EventRepository,
  RetryJobRepository,
  rollUpEventStatus,
} from '@app/persistence';
import { FifoQueue } from '../fifo/fifo-queue';
import { RetryScheduler } from '../scheduler/retry-scheduler';

/**
 * Persists a batch of attempt logs: the attempts themselves, each delivery's new state, the events'
 * overall statuses and bulk-retry progress, then releases the next delivery of FIFO webhooks. Every step is safe to repeat when Kafka redelivers a batch.
 */
@Injectable()
export class PersistDeliveryLogsUseCase {
  constructor(
    private readonly attempts: DeliveryAttemptRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly events: EventRepository,
    private readonly retryJobs: RetryJobRepository,
    private readonly scheduler: RetryScheduler,
    private readonly fifo: FifoQueue,
  ) {}

  async execute(logs: DeliveryLogV1[]): Promise<void> {
    if (logs.length === 0) return;
    const inserted = await this.attempts.insertLogs(logs);
    await this.deliveries.applyAttempts(logs);
    await this.rollUpEvents(logs);
    // Job counters are not idempotent, so count only when this batch is new (a replay inserts nothing).
    if (inserted === logs.length) await this.countRetryJobOutcomes(logs);
    // After the finished deliveries are stored, so the next one in a FIFO queue finds its way clear.
    await this.fifo.releaseAfter(logs);
    const nextDue = logs.flatMap((log) => (log.nextAttemptAt ? [new Date(log.nextAttemptAt)] : []));
    if (nextDue.length > 0) this.scheduler.wakeBy(new Date(Math.min(...nextDue.map((date) => date.getTime()))));
  }

  private async rollUpEvents(logs: DeliveryLogV1[]): Promise<void> {
    const eventsByTenant = new Map<string, Set<string>>();
    for (const { tenantId, eventId } of logs) {
      eventsByTenant.set(tenantId, (eventsByTenant.get(tenantId) ?? new Set()).add(eventId));
    }
    for (const [tenant, eventIds] of eventsByTenant) {
      const tenantId = asTenantId(tenant);
      const rows = await this.deliveries.findByEvents(tenantId, [...eventIds]);
      const statusesByEvent = new Map<string, DeliveryLogV1['deliveryStatus'][]>();
      for (const row of rows)
        statusesByEvent.set(row.eventId, [...(statusesByEvent.get(row.eventId) ?? []), row.status]);
      await this.events.setStatuses(
        [...eventIds].map((eventId) => ({
          eventId,
          status: rollUpEventStatus(statusesByEvent.get(eventId) ?? []),
        })),
      );
    }
  }

  private async countRetryJobOutcomes(logs: DeliveryLogV1[]): Promise<void> {
    const counts = new Map<string, { tenantId: string; jobId: string; delivered: number; failed: number }>();
    for (const log of logs) {
      if (!log.retryJobId) continue;
      const key = `${log.tenantId}:${log.retryJobId}`;
      const entry = counts.get(key) ?? { tenantId: log.tenantId, jobId: log.retryJobId, delivered: 0, failed: 0 };
      if (log.success) entry.delivered += 1;
      else entry.failed += 1;
      counts.set(key, entry);
    }
    await this.retryJobs.addOutcomes([...counts.values()]);
  }
}
