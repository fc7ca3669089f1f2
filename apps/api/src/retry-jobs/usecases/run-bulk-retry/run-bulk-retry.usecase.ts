import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DeliveryTrigger, OperationalEventType, RetryJobFinishedPayload } from '@app/contracts';
import {
  asTenantId,
  CursorPosition,
  DeliveryRepository,
  EventDocument,
  EventRepository,
  RetryJobDocument,
  RetryJobRepository,
  RetryJobSlotRepository,
  TenantId,
} from '@app/persistence';
import { DeliveryCommandPublisher } from '@app/kafka';
import { EmitOperationalEventUseCase } from '../../../operational-events/usecases/emit-operational-event/emit-operational-event.usecase';

/** How a run ended: the job completed, the runner was asked to stop, or the job is no longer its own. */
export type BulkRetryRunOutcome = 'completed' | 'interrupted' | 'lost';

/**
 * The command id of a job's retry of one event: the same whenever that event's page is published, so a
 * page published again after a crash (before its progress was saved) is work the dispatcher already
 * did, not a second delivery (an attempt's id follows from its command id and webhook).
 */
export const retryJobCommandId = (jobId: string, eventId: string): string => `retry-job:${jobId}:${eventId}`;

/**
 * Walks the tenant's matching events newest first (the list's cursor, so events created after the job
 * started are not included) and publishes one `manual` command per event, tagged with the job id. Without
 * a webhook filter the command names no webhook, and the dispatcher delivers to the event's currently
 * active subscribers. After each page Kafka acknowledged, the cursor and counters are saved together, by
 * the lease's owner only; a run starts from the saved cursor, so a resumed job publishes again at most
 * the page its previous owner was working on.
 */
@Injectable()
export class RunBulkRetryUseCase {
  constructor(
    private readonly events: EventRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly jobs: RetryJobRepository,
    private readonly slots: RetryJobSlotRepository,
    private readonly publisher: DeliveryCommandPublisher,
    private readonly config: AppConfig,
    private readonly emit: EmitOperationalEventUseCase,
  ) {}

  /**
   * `inTurn` runs each write to the job document after the previous one (the runner's lease renewals go
   * through it too): FerretDB rewrites a whole document per update, so a renewal racing the completion could
   * put the finished job back to running.
   */
  async execute(
    job: RetryJobDocument,
    owner: string,
    isStopping: () => boolean,
    inTurn: <T>(write: () => Promise<T>) => Promise<T> = (write) => write(),
  ): Promise<BulkRetryRunOutcome> {
    const tenantId = asTenantId(job.tenantId);
    const { webhookId, status, type, from, to } = job.filter;
    const cap = this.config.get('BULK_RETRY_MAX_EVENTS');
    const pageSize = this.config.get('BULK_RETRY_PAGE_SIZE');
    const leaseMs = this.config.durationMs('BULK_RETRY_LEASE');
    let after: CursorPosition | undefined = job.cursor ?? undefined;
    let matched = job.matched;
    while (matched < cap) {
      if (isStopping()) return 'interrupted';
      const page = await this.events.findPage(tenantId, {
        status: status as EventDocument['status'] | undefined,
        type,
        from,
        to,
        after,
        limit: Math.min(pageSize, cap - matched),
      });
      const last = page.items[page.items.length - 1];
      if (!last) break;
      const eventIds = await this.targetedBy(tenantId, webhookId, page.items);
      await this.publisher.publish(
        eventIds.map((eventId) => ({
          eventId,
          webhookId,
          trigger: DeliveryTrigger.Manual,
          requestedBy: job.requestedBy,
          retryJobId: job._id,
          commandId: retryJobCommandId(job._id, eventId),
        })),
      );
      matched += eventIds.length;
      after = { createdAt: last.createdAt, id: last._id };
      const progress = { cursor: after, matched, queued: matched };
      const leaseUntil = new Date(Date.now() + leaseMs);
      if (!(await inTurn(() => this.jobs.saveProgress(job._id, owner, progress, leaseUntil)))) return 'lost';
      if (!page.nextCursor) break;
    }
    if (!(await inTurn(() => this.jobs.complete(job._id, owner)))) return 'lost';
    if (job.slotId) await this.slots.release(job.slotId, job._id);
    await this.emitFinished(tenantId, job._id);
    return 'completed';
  }

  /** `retry_job.finished`, once: only the owner's complete() succeeds, and the fact is the job id. */
  private async emitFinished(tenantId: TenantId, jobId: string): Promise<void> {
    const job = await this.jobs.findById(tenantId, jobId);
    if (!job) return;
    const payload: RetryJobFinishedPayload = {
      retryJobId: job._id,
      status: job.status,
      matched: job.matched,
      queued: job.queued,
      delivered: job.delivered,
      failed: job.failed,
      finishedAt: job.updatedAt.toISOString(),
    };
    await this.emit.execute({
      tenantId,
      type: OperationalEventType.RetryJobFinished,
      fact: `${OperationalEventType.RetryJobFinished}:${job._id}`,
      payload,
      requestedBy: job.requestedBy,
    });
  }

  /** With a webhook filter, only events that have a delivery to that webhook (it was, or is, a target). */
  private async targetedBy(
    tenantId: TenantId,
    webhookId: string | undefined,
    events: EventDocument[],
  ): Promise<string[]> {
    const eventIds = events.map((event) => event._id);
    if (!webhookId || eventIds.length === 0) return eventIds;
    const deliveries = await this.deliveries.findByEvents(tenantId, eventIds);
    const targeted = new Set(deliveries.filter((row) => row.webhookId === webhookId).map((row) => row.eventId));
    return eventIds.filter((eventId) => targeted.has(eventId));
  }
}
