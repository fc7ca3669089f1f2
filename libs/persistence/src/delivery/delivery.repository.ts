import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { AnyBulkWriteOperation, Model, UpdateQuery } from 'mongoose';
import { CoalescingQueue } from '@app/common';
import { DeliveryErrorKind, DeliveryLogV1, DeliveryStatus } from '@app/contracts';
import { TenantId } from '../tenant';
import { insertMissing } from '../insert-missing';
import { findManyById } from '../lookup-by-id';
import {
  DELIVERY_MODEL,
  DeliveryDocument,
  deliveryIdOf,
  OPEN_DELIVERY_STATUSES,
  pendingDeliveryRow,
} from './delivery.schema';

export interface DeliveryTarget {
  tenantId: TenantId;
  eventId: string;
  webhookId: string;
  url: string;
}

/** What applying attempts needs to know of a delivery row, read once per batch of logs. */
export type AttemptState = Pick<
  DeliveryDocument,
  '_id' | 'lastAttemptAt' | 'tenantId' | 'status' | 'attempts' | 'countedAttemptIds'
>;

/** A delivery's attempt count after a batch of logs, and the attempt ids it remembers as counted. */
export interface AttemptCount {
  attempts: number;
  countedAttemptIds: string[];
}

/** One round of the retry scheduler's read: see DeliveryRepository.takeDue. */
export interface DueRetries {
  taken: DeliveryDocument[];
  nextDueAt: Date | null;
  stillScheduled: number | null;
}

/** New events' target lists per insert command (each list is one event's rows). */
const NEW_TARGETS_BATCH = 500;

@Injectable()
export class DeliveryRepository {
  /** New events' rows, from creations running at the same time, go in one insert. */
  private readonly newTargets = new CoalescingQueue<DeliveryTarget[]>(NEW_TARGETS_BATCH, (lists) =>
    this.insertTargets(lists.flat(), true),
  );

  constructor(@InjectModel(DELIVERY_MODEL) private readonly deliveries: Model<DeliveryDocument>) {}

  /**
   * Creates the delivery rows of new targets as pending; existing rows are left as they are. Read first
   * by default: a retry names rows that exist already, and a read by _id costs no write lock. `expectNew`
   * (a new event's rows): insert first, and read only what a duplicate leaves unsure; the rows of events
   * created at the same time share one insert.
   */
  async ensureTargets(targets: DeliveryTarget[], { expectNew = false }: { expectNew?: boolean } = {}): Promise<void> {
    if (targets.length === 0) return;
    if (expectNew) return this.newTargets.push(targets);
    await this.insertTargets(targets, false);
  }

  private async insertTargets(targets: DeliveryTarget[], expectNew: boolean): Promise<void> {
    const now = new Date();
    await insertMissing(
      this.deliveries,
      targets.map((target) => pendingDeliveryRow(target, now)),
      { expectNew },
    );
  }

  async findByEvent(tenantId: TenantId, eventId: string): Promise<DeliveryDocument[]> {
    return this.deliveries.find({ tenantId, eventId }).sort({ createdAt: 1, _id: 1 }).lean<DeliveryDocument[]>().exec();
  }

  async findByEvents(tenantId: TenantId, eventIds: string[]): Promise<DeliveryDocument[]> {
    return this.deliveries
      .find({ tenantId, eventId: { $in: eventIds } })
      .lean<DeliveryDocument[]>()
      .exec();
  }

  async findByIds(ids: string[]): Promise<DeliveryDocument[]> {
    return findManyById(this.deliveries, ids);
  }

  /** The rows the logs' attempts apply to, by delivery id. */
  async findAttemptStates(logs: DeliveryLogV1[]): Promise<Map<string, AttemptState>> {
    if (logs.length === 0) return new Map();
    const rows = await findManyById<DeliveryDocument, AttemptState>(
      this.deliveries,
      logs.map((log) => deliveryIdOf(log.eventId, log.webhookId)),
      { lastAttemptAt: 1, tenantId: 1, status: 1, attempts: 1, countedAttemptIds: 1 },
    );
    return new Map(rows.map((row) => [row._id, row] as const));
  }

  /**
   * Applies attempt results and the counts numberAttempts worked out to the rows read by
   * findAttemptStates, and answers each delivery's resulting status (for the event roll-up). Idempotent,
   * so a log event read twice changes nothing: an attempt older than the delivery's last one does not
   * overwrite it, and counters only move forward ($max). Written by _id alone: the log writer of an
   * event is the only writer of its rows' state, and it read them just before.
   */
  async applyAttempts(
    logs: DeliveryLogV1[],
    stored: Map<string, AttemptState>,
    counts: Map<string, AttemptCount>,
  ): Promise<Map<string, DeliveryStatus>> {
    const statuses = new Map<string, DeliveryStatus>();
    if (logs.length === 0) return statuses;
    // A log names its delivery's tenant; one that does not match the row is not applied.
    const applicable = logs.filter(
      (log) => stored.get(deliveryIdOf(log.eventId, log.webhookId))?.tenantId === log.tenantId,
    );
    const updates = new Map<string, { newest?: DeliveryLogV1; scheduledFailures: number }>();
    for (const log of applicable) {
      const id = deliveryIdOf(log.eventId, log.webhookId);
      const update = updates.get(id) ?? { scheduledFailures: 0 };
      update.scheduledFailures = Math.max(update.scheduledFailures, log.scheduledFailures ?? 0);
      // The newest attempt sets the state, unless the row already holds a newer one.
      const startedAt = new Date(log.startedAt);
      const lastAttemptAt = stored.get(id)!.lastAttemptAt;
      const newer = !update.newest || new Date(update.newest.startedAt) <= startedAt;
      if (newer && (!lastAttemptAt || lastAttemptAt <= startedAt)) update.newest = log;
      updates.set(id, update);
    }
    const operations: AnyBulkWriteOperation<DeliveryDocument>[] = [...updates].map(
      ([id, { newest, scheduledFailures }]) => {
        statuses.set(id, newest ? newest.deliveryStatus : stored.get(id)!.status);
        const count = counts.get(id);
        const update: UpdateQuery<DeliveryDocument> = {
          $max: { scheduledFailures, ...(count ? { attempts: count.attempts } : {}) },
        };
        const set = {
          ...(newest ? stateAfter(newest) : {}),
          ...(count ? { countedAttemptIds: count.countedAttemptIds } : {}),
        };
        if (Object.keys(set).length > 0) update.$set = set;
        return { updateOne: { filter: { _id: id }, update } };
      },
    );
    // Through the driver: mongoose's casting of each statement cost more dispatcher CPU than the write.
    if (operations.length > 0) await this.deliveries.collection.bulkWrite(operations as never[], { ordered: false });
    return statuses;
  }

  /**
   * FIFO: the oldest still-open delivery to the same webhook that is older than `delivery` (by
   * createdAt, then _id), or null when `delivery` is at the head of its webhook's queue.
   */
  async findOlderOpen(
    delivery: Pick<DeliveryDocument, '_id' | 'tenantId' | 'webhookId' | 'createdAt'>,
  ): Promise<Pick<DeliveryDocument, '_id' | 'eventId'> | null> {
    return this.deliveries
      .findOne(
        {
          tenantId: delivery.tenantId,
          webhookId: delivery.webhookId,
          status: { $in: OPEN_DELIVERY_STATUSES },
          $or: [
            { createdAt: { $lt: delivery.createdAt } },
            { createdAt: delivery.createdAt, _id: { $lt: delivery._id } },
          ],
        },
        { _id: 1, eventId: 1 },
      )
      .sort({ createdAt: 1, _id: 1 })
      .lean<Pick<DeliveryDocument, '_id' | 'eventId'>>()
      .exec();
  }

  /** FIFO: the head of a webhook's queue, the oldest delivery still pending or retrying. */
  async findOldestOpen(tenantId: TenantId, webhookId: string): Promise<DeliveryDocument | null> {
    return this.deliveries
      .findOne({ tenantId, webhookId, status: { $in: OPEN_DELIVERY_STATUSES } })
      .sort({ createdAt: 1, _id: 1 })
      .lean<DeliveryDocument>()
      .exec();
  }

  /** FIFO: records which earlier event each held delivery waits for (only while it is still open). */
  async markHeld(holds: { deliveryId: string; heldBy: string }[]): Promise<void> {
    if (holds.length === 0) return;
    await this.deliveries.bulkWrite(
      holds.map(({ deliveryId, heldBy }) => ({
        updateOne: {
          filter: { _id: deliveryId, status: { $in: OPEN_DELIVERY_STATUSES } },
          update: { $set: { heldBy } },
        },
      })),
      { ordered: false },
    );
  }

  /** FIFO: deliveries currently held back, oldest first, for the sweep that releases them. */
  async findHeld(limit: number): Promise<DeliveryDocument[]> {
    return this.deliveries
      .find({ heldBy: { $gt: '' } })
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .lean<DeliveryDocument[]>()
      .exec();
  }

  /** FIFO: forgets holds that nothing will release (their webhook was deleted). */
  async clearHeld(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.deliveries.updateMany({ _id: { $in: ids } }, { $set: { heldBy: null } });
  }

  /**
   * Ends a deleted webhook's open deliveries as failed (webhook_deleted), dropping their scheduled retries
   * and FIFO holds, so neither the scheduler nor the stranded sweep sends them again. Reads `batch` rows
   * at a time up to `max` (a leftover is ended by the dispatcher when the sweep republishes it); answers
   * the ended rows' event ids, for their roll-up.
   */
  async failOpenOfDeletedWebhook(
    tenantId: TenantId,
    webhookId: string,
    { batch = 500, max = 5_000 }: { batch?: number; max?: number } = {},
  ): Promise<string[]> {
    const eventIds: string[] = [];
    while (eventIds.length < max) {
      const open = await this.deliveries
        .find({ tenantId, webhookId, status: { $in: OPEN_DELIVERY_STATUSES } }, { _id: 1, eventId: 1 })
        .limit(Math.min(batch, max - eventIds.length))
        .lean<Pick<DeliveryDocument, '_id' | 'eventId'>[]>()
        .exec();
      if (open.length === 0) break;
      const ended: Partial<DeliveryDocument> = {
        status: DeliveryStatus.Failed,
        lastErrorKind: DeliveryErrorKind.WebhookDeleted,
        nextAttemptAt: null,
        heldBy: null,
        updatedAt: new Date(),
      };
      // Only while still open: a delivery that succeeded since the read keeps its outcome. The _id in the
      // filter reaches the index on FerretDB too (infra/ferretdb patch).
      await this.deliveries.bulkWrite(
        open.map((row) => ({
          updateOne: { filter: { _id: row._id, status: { $in: OPEN_DELIVERY_STATUSES } }, update: { $set: ended } },
        })),
        { ordered: false },
      );
      eventIds.push(...open.map((row) => row.eventId));
      if (open.length < batch) break;
    }
    return eventIds;
  }

  async countScheduled(): Promise<number> {
    return this.deliveries.countDocuments({ nextAttemptAt: { $ne: null } }).exec();
  }

  /**
   * Takes up to `limit` due retries for this scheduler to publish, and tells when the next one not taken
   * is due (null when none is scheduled), from one query. A retry is taken by clearing its due time on the
   * condition that it is still the one read, so two dispatchers never both take it. Taking before the
   * publish, not after, keeps this write ahead of the log writer's, which only starts once the command is
   * consumed: the two never race on a row, whose state the log writer writes from its own read. A
   * scheduler that dies between taking and publishing leaves the row to `redriveStranded`.
   * `stillScheduled` counts the retries left scheduled when the read saw them all (null when it stopped
   * at `limit`), so the scheduled-retries gauge costs no query of its own in the common case.
   */
  async takeDue(now: Date, limit: number): Promise<DueRetries> {
    const scheduled = await this.deliveries
      .find({ nextAttemptAt: { $ne: null } })
      .sort({ nextAttemptAt: 1 })
      .limit(limit + 1)
      .lean<DeliveryDocument[]>()
      .exec();
    const due = scheduled.slice(0, limit).filter((row) => row.nextAttemptAt! <= now);
    const taken: DeliveryDocument[] = [];
    for (const candidate of due) {
      const result = await this.deliveries.updateOne(
        { _id: candidate._id, nextAttemptAt: candidate.nextAttemptAt },
        { $set: { nextAttemptAt: null, updatedAt: now } },
      );
      if (result.modifiedCount === 1) taken.push(candidate);
    }
    return {
      taken,
      nextDueAt: scheduled[due.length]?.nextAttemptAt ?? null,
      stillScheduled: scheduled.length > limit ? null : scheduled.length - due.length,
    };
  }

  /** Gives taken retries whose commands could not be published their due time back. */
  async restoreDue(rows: Pick<DeliveryDocument, '_id' | 'nextAttemptAt' | 'scheduledFailures'>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.deliveries.bulkWrite(
      rows.map((row) => ({
        updateOne: {
          filter: { _id: row._id, nextAttemptAt: null, scheduledFailures: row.scheduledFailures },
          update: { $set: { nextAttemptAt: row.nextAttemptAt } },
        },
      })),
      { ordered: false },
    );
  }

  /**
   * Takes deliveries whose command seems lost, for the scheduler to publish again: idle since before
   * `idleSince` with nothing scheduled, and either `pending` (the event's initial command never reached a
   * dispatcher; manual attempts leave a delivery pending) or `retrying` (a scheduler took the retry and died before publishing it).
   * Taking one touches its `updatedAt`, so it is taken again only after another idle spell. Held FIFO
   * deliveries wait for the one ahead of them and are left alone.
   */
  async takeStranded(idleSince: Date, now: Date, limit: number): Promise<DeliveryDocument[]> {
    const stranded = await this.deliveries
      .find({
        updatedAt: { $lt: idleSince },
        nextAttemptAt: null,
        heldBy: null,
        status: { $in: [DeliveryStatus.Pending, DeliveryStatus.Retrying] },
      })
      .limit(limit)
      .lean<DeliveryDocument[]>()
      .exec();
    // Touched by _id alone, unconditionally: two sweeps taking the same row publish the same command id,
    // which the dispatcher takes once, and FerretDB serves only a lone _id filter from an index (a
    // conditional update scanned the whole collection per row, which stalled a 100,000-delivery backlog).
    if (stranded.length > 0) {
      await this.deliveries.bulkWrite(
        stranded.map((row) => ({ updateOne: { filter: { _id: row._id }, update: { $set: { updatedAt: now } } } })),
        { ordered: false },
      );
    }
    return stranded;
  }
}

/** The delivery's state as its newest attempt left it. */
function stateAfter(log: DeliveryLogV1): Partial<DeliveryDocument> {
  const state: Partial<DeliveryDocument> = {
    url: log.url,
    status: log.deliveryStatus,
    lastAttemptAt: new Date(log.startedAt),
    lastStatusCode: log.statusCode,
    lastErrorKind: log.errorKind,
    heldBy: null,
    updatedAt: new Date(),
  };
  if (log.nextAttemptAt !== undefined) {
    state.nextAttemptAt = log.nextAttemptAt === null ? null : new Date(log.nextAttemptAt);
  }
  return state;
}
