import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DeliveryTrigger } from '@app/contracts';
import {
  asTenantId,
  CursorPosition,
  DeliveryRepository,
  EventDocument,
  EventRepository,
  RetryJobDocument,
  RetryJobRepository,
  RetryJobStatus,
  TenantId,
} from '@app/persistence';
import { DeliveryCommandPublisher } from '../../../delivery-commands/delivery-command.publisher';

/** Events read and published per round trip: one sendAll per page keeps Kafka batches large. */
const PAGE_SIZE = 500;

/** Thrown when the API shuts down mid-walk; the job is then marked failed with this message. */
export class BulkRetryInterruptedError extends Error {
  constructor() {
    super('The API stopped before the job finished; start a new bulk retry for the remaining events');
  }
}

/**
 * Walks the tenant's matching events newest first (the same cursor as the list, so events created
 * after the job started are not included) and publishes one `manual` command per event, tagged with the
 * job id. Without a webhook filter the command names no webhook, and the dispatcher delivers to the
 * event's currently active subscribers. Progress is saved after every page.
 */
@Injectable()
export class RunBulkRetryUseCase {
  constructor(
    private readonly events: EventRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly jobs: RetryJobRepository,
    private readonly publisher: DeliveryCommandPublisher,
    private readonly config: AppConfig,
  ) {}

  async execute(job: RetryJobDocument, isStopping: () => boolean): Promise<void> {
    const tenantId = asTenantId(job.tenantId);
    const { webhookId, status, type, from, to } = job.filter;
    const cap = this.config.get('BULK_RETRY_MAX_EVENTS');
    let after: CursorPosition | undefined;
    let matched = 0;
    do {
      if (isStopping()) throw new BulkRetryInterruptedError();
      const page = await this.events.findPage(tenantId, {
        status: status as EventDocument['status'] | undefined,
        type,
        from,
        to,
        after,
        limit: Math.min(PAGE_SIZE, cap - matched),
      });
      const eventIds = await this.targetedBy(tenantId, webhookId, page.items);
      await this.publisher.publish(
        eventIds.map((eventId) => ({
          eventId,
          webhookId,
          trigger: DeliveryTrigger.Manual,
          requestedBy: job.requestedBy,
          retryJobId: job._id,
        })),
      );
      matched += eventIds.length;
      await this.jobs.update(tenantId, job._id, { matched, queued: matched });
      const last = page.items[page.items.length - 1];
      after = page.nextCursor && last ? { createdAt: last.createdAt, id: last._id } : undefined;
    } while (after && matched < cap);
    await this.jobs.update(tenantId, job._id, { status: RetryJobStatus.Queued, matched, queued: matched });
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
