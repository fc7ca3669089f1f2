import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { AnyBulkWriteOperation, Model } from 'mongoose';
import { DeliveryLogV1, DeliveryStatus } from '@app/contracts';
import { TenantId } from '../tenant';
import { DELIVERY_MODEL, DeliveryDocument, deliveryIdOf } from './delivery.schema';

export interface DeliveryTarget {
  tenantId: TenantId;
  eventId: string;
  webhookId: string;
  url: string;
}

@Injectable()
export class DeliveryRepository {
  constructor(@InjectModel(DELIVERY_MODEL) private readonly deliveries: Model<DeliveryDocument>) {}

  /** Creates the delivery rows of new targets as pending; existing rows are left as they are. */
  async ensureTargets(targets: DeliveryTarget[]): Promise<void> {
    if (targets.length === 0) return;
    const now = new Date();
    await this.deliveries.bulkWrite(
      targets.map(({ tenantId, eventId, webhookId, url }) => ({
        updateOne: {
          filter: { _id: deliveryIdOf(eventId, webhookId) },
          update: {
            $setOnInsert: {
              tenantId,
              eventId,
              webhookId,
              url,
              status: DeliveryStatus.Pending,
              attempts: 0,
              scheduledFailures: 0,
              lastAttemptAt: null,
              lastStatusCode: null,
              lastErrorKind: null,
              nextAttemptAt: null,
              scheduleLeaseUntil: null,
              createdAt: now,
              updatedAt: now,
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
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
    return this.deliveries
      .find({ _id: { $in: ids } })
      .lean<DeliveryDocument[]>()
      .exec();
  }

  /**
   * Applies attempt results. Idempotent, so a log event read twice changes nothing: an attempt older
   * than the delivery's last one does not overwrite it, and counters only move forward ($max).
   */
  async applyAttempts(logs: DeliveryLogV1[]): Promise<void> {
    if (logs.length === 0) return;
    const operations: AnyBulkWriteOperation<DeliveryDocument>[] = logs.map((log) => {
      const startedAt = new Date(log.startedAt);
      const set: Partial<DeliveryDocument> = {
        url: log.url,
        status: log.deliveryStatus,
        lastAttemptAt: startedAt,
        lastStatusCode: log.statusCode,
        lastErrorKind: log.errorKind,
        updatedAt: new Date(),
      };
      if (log.nextAttemptAt !== undefined) {
        set.nextAttemptAt = log.nextAttemptAt === null ? null : new Date(log.nextAttemptAt);
      }
      return {
        updateOne: {
          filter: {
            _id: deliveryIdOf(log.eventId, log.webhookId),
            tenantId: log.tenantId,
            $or: [{ lastAttemptAt: null }, { lastAttemptAt: { $lte: startedAt } }],
          },
          update: {
            $set: set,
            $max: { attempts: log.attemptNumber, scheduledFailures: log.scheduledFailures ?? 0 },
          },
        },
      };
    });
    await this.deliveries.bulkWrite(operations, { ordered: false });
  }

  async countScheduled(): Promise<number> {
    return this.deliveries.countDocuments({ nextAttemptAt: { $ne: null } }).exec();
  }

  /** When the earliest scheduled retry is due, or null when none is scheduled. */
  async nextDueAt(): Promise<Date | null> {
    const next = await this.deliveries
      .findOne({ nextAttemptAt: { $ne: null } }, { nextAttemptAt: 1 })
      .sort({ nextAttemptAt: 1 })
      .lean<Pick<DeliveryDocument, 'nextAttemptAt'>>()
      .exec();
    return next?.nextAttemptAt ?? null;
  }

  /**
   * Leases up to `limit` due retries to this scheduler. Each lease is a conditional update on the row's
   * own due time, so two dispatchers never both take the same retry.
   */
  async leaseDue(now: Date, leaseMs: number, limit: number): Promise<DeliveryDocument[]> {
    const candidates = await this.deliveries
      .find({
        nextAttemptAt: { $ne: null, $lte: now },
        $or: [{ scheduleLeaseUntil: null }, { scheduleLeaseUntil: { $lt: now } }],
      })
      .sort({ nextAttemptAt: 1 })
      .limit(limit)
      .lean<DeliveryDocument[]>()
      .exec();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const leased: DeliveryDocument[] = [];
    for (const candidate of candidates) {
      const result = await this.deliveries.updateOne(
        {
          _id: candidate._id,
          nextAttemptAt: candidate.nextAttemptAt,
          $or: [{ scheduleLeaseUntil: null }, { scheduleLeaseUntil: { $lt: now } }],
        },
        { $set: { scheduleLeaseUntil: leaseUntil } },
      );
      if (result.modifiedCount === 1) leased.push(candidate);
    }
    return leased;
  }

  /** Marks leased retries as handed to Kafka; a row rescheduled meanwhile keeps its new due time. */
  async releaseDispatched(rows: Pick<DeliveryDocument, '_id' | 'nextAttemptAt'>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.deliveries.bulkWrite(
      rows.map((row) => ({
        updateOne: {
          filter: { _id: row._id, nextAttemptAt: row.nextAttemptAt },
          update: { $set: { nextAttemptAt: null, scheduleLeaseUntil: null } },
        },
      })),
      { ordered: false },
    );
  }
}
