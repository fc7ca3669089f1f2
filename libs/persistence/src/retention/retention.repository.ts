import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model } from 'mongoose';
import { DELIVERY_ATTEMPT_MODEL, DeliveryAttemptDocument } from '../delivery-attempt/delivery-attempt.schema';
import { DELIVERY_TASK_MODEL, DeliveryTaskDocument } from '../delivery-task/delivery-task.schema';
import { DELIVERY_MODEL, DeliveryDocument } from '../delivery/delivery.schema';
import { EVENT_MODEL, EventDocument } from '../event/event.schema';
import { RATE_LIMIT_WINDOW_MODEL, RateLimitWindowDocument } from '../rate-limit-window/rate-limit-window.schema';
import { RETRY_JOB_MODEL, RetryJobDocument } from '../retry-job/retry-job.schema';

/** Collections the retention purge deletes from; the values are the collection names (a metric label). */
export enum RetainedCollection {
  Events = 'events',
  Deliveries = 'deliveries',
  Attempts = 'delivery_attempts',
  RetryJobs = 'retry_jobs',
  Tasks = 'delivery_tasks',
  RateLimitWindows = 'rate_limit_windows',
}

/** Collections purged by age alone, each walked by its `{createdAt: 1}` index. */
export type AgedCollection =
  | RetainedCollection.Attempts
  | RetainedCollection.RetryJobs
  | RetainedCollection.Tasks
  | RetainedCollection.RateLimitWindows;

export type ExpiredEvent = Pick<EventDocument, '_id' | 'tenantId' | 'createdAt'>;

/** What the purge needs to know of an expired event's delivery: whether it may still be attempted. */
export type DeliveryActivity = Pick<
  DeliveryDocument,
  '_id' | 'eventId' | 'status' | 'createdAt' | 'lastAttemptAt' | 'nextAttemptAt'
>;

/**
 * The retention purge's reads and deletes, in bounded rounds: ids first, from an index on `createdAt`,
 * then a delete by those ids. Retention spans tenants, so these are the queries without a tenant id.
 */
@Injectable()
export class RetentionRepository {
  constructor(
    @InjectModel(EVENT_MODEL) private readonly events: Model<EventDocument>,
    @InjectModel(DELIVERY_MODEL) private readonly deliveries: Model<DeliveryDocument>,
    @InjectModel(DELIVERY_ATTEMPT_MODEL) private readonly attempts: Model<DeliveryAttemptDocument>,
    @InjectModel(RETRY_JOB_MODEL) private readonly retryJobs: Model<RetryJobDocument>,
    @InjectModel(DELIVERY_TASK_MODEL) private readonly tasks: Model<DeliveryTaskDocument>,
    @InjectModel(RATE_LIMIT_WINDOW_MODEL) private readonly rateLimitWindows: Model<RateLimitWindowDocument>,
  ) {}

  /** Events created before `cutoff`, oldest first, after `after` (the last one a previous round saw). */
  async findEventsCreatedBefore(cutoff: Date, after: ExpiredEvent | null, limit: number): Promise<ExpiredEvent[]> {
    const filter: FilterQuery<EventDocument> = after
      ? {
          createdAt: { $lt: cutoff },
          $or: [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, _id: { $gt: after._id } }],
        }
      : { createdAt: { $lt: cutoff } };
    return this.events
      .find(filter, { _id: 1, tenantId: 1, createdAt: 1 })
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .lean<ExpiredEvent[]>()
      .exec();
  }

  /** The deliveries of these events (served by the deliveries' {tenantId, eventId} index). */
  async findDeliveriesOf(events: ExpiredEvent[]): Promise<DeliveryActivity[]> {
    if (events.length === 0) return [];
    return this.deliveries
      .find(deliveriesOf(events), { _id: 1, eventId: 1, status: 1, createdAt: 1, lastAttemptAt: 1, nextAttemptAt: 1 })
      .lean<DeliveryActivity[]>()
      .exec();
  }

  /** Deletes every delivery of these events; a scan on FerretDB (only a lone `_id` filter uses an index there). */
  async deleteDeliveriesOf(events: ExpiredEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    return (await this.deliveries.deleteMany(deliveriesOf(events))).deletedCount;
  }

  async deleteEvents(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return (await this.events.deleteMany({ _id: { $in: ids } })).deletedCount;
  }

  /**
   * Ids of documents created before `cutoff`, oldest first. Tasks someone holds (a live lease on a claim
   * retaken long after it was created) are left alone: deleting one would let its command be sent twice.
   */
  async findCreatedBefore(collection: AgedCollection, cutoff: Date, now: Date, limit: number): Promise<string[]> {
    const filter: FilterQuery<{ createdAt: Date; leaseUntil?: Date }> = { createdAt: { $lt: cutoff } };
    if (collection === RetainedCollection.Tasks) filter.leaseUntil = { $lt: now };
    const rows = await this.modelOf(collection)
      .find(filter, { _id: 1 })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<{ _id: string }[]>()
      .exec();
    return rows.map(({ _id }) => _id);
  }

  /**
   * Deletes by id. A task only while still unheld, in case a claim was taken since the read (on FerretDB
   * that condition means a scan, paid only in rounds that found old tasks).
   */
  async deleteByIds(collection: AgedCollection, ids: string[], now: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const filter: FilterQuery<{ _id: string; leaseUntil?: Date }> = { _id: { $in: ids } };
    if (collection === RetainedCollection.Tasks) filter.leaseUntil = { $lt: now };
    return (await this.modelOf(collection).deleteMany(filter)).deletedCount;
  }

  private modelOf(collection: AgedCollection): Model<{ _id: string; createdAt: Date }> {
    const models = {
      [RetainedCollection.Attempts]: this.attempts,
      [RetainedCollection.RetryJobs]: this.retryJobs,
      [RetainedCollection.Tasks]: this.tasks,
      [RetainedCollection.RateLimitWindows]: this.rateLimitWindows,
    };
    return models[collection] as unknown as Model<{ _id: string; createdAt: Date }>;
  }
}

/** The tenant list lets MongoDB serve `eventId: {$in}` from the {tenantId, eventId} index. */
function deliveriesOf(events: ExpiredEvent[]): FilterQuery<DeliveryDocument> {
  return {
    tenantId: { $in: [...new Set(events.map(({ tenantId }) => tenantId))] },
    eventId: { $in: events.map(({ _id }) => _id) },
  };
}
