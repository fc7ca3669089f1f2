import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model } from 'mongoose';
import { DeliveryLogV1 } from '@app/contracts';
import { isDuplicateKeyOnly } from '../duplicate-key';
import { afterCursor, CursorPosition, Page, toPage } from '../pagination/cursor';
import { TenantId } from '../tenant';
import { attemptDocumentOf, DELIVERY_ATTEMPT_MODEL, DeliveryAttemptDocument } from './delivery-attempt.schema';

export interface AttemptQuery {
  eventId: string;
  webhookId?: string;
  success?: boolean;
  after?: CursorPosition;
  limit: number;
}

@Injectable()
export class DeliveryAttemptRepository {
  constructor(@InjectModel(DELIVERY_ATTEMPT_MODEL) private readonly attempts: Model<DeliveryAttemptDocument>) {}

  /**
   * Writes attempt logs in one unordered batch through the driver (no per-document validation or
   * hydration); a log read twice from Kafka, or republished after a crash, is stored once. Returns how
   * many were new: `logs.length` only when the whole batch was.
   */
  async insertLogs(logs: DeliveryLogV1[]): Promise<number> {
    if (logs.length === 0) return 0;
    const now = new Date();
    const documents = logs.map((log) => attemptDocumentOf(log, now));
    // The usual batch is all new: one insert, no read.
    if (await this.insertUnlessDuplicate(documents)) return documents.length;
    return this.insertMissing(documents);
  }

  /**
   * After a collision: reads which ids are stored and inserts the rest, until none is missing. The
   * collision's own error list is not used: FerretDB stops an unordered insert at its first duplicate,
   * drops the documents after it, and reports one error. Returns how many this pass added (fewer than
   * the batch, since at least one was there already).
   */
  private async insertMissing(documents: DeliveryAttemptDocument[]): Promise<number> {
    const stored = await this.attempts
      .find({ _id: { $in: documents.map(({ _id }) => _id) } }, { _id: 1 })
      .lean()
      .exec();
    const existing = new Set(stored.map(({ _id }) => String(_id)));
    const missing = documents.filter(({ _id }) => !existing.has(_id));
    if (missing.length === 0) return 0;
    if (await this.insertUnlessDuplicate(missing)) return missing.length;
    // Another writer stored some of them meanwhile (a rebalance overlap): look again.
    return this.insertMissing(missing);
  }

  /** true when every document was inserted; false when some already existed (duplicate keys only). */
  private async insertUnlessDuplicate(documents: DeliveryAttemptDocument[]): Promise<boolean> {
    try {
      await this.attempts.collection.insertMany(documents as never[], { ordered: false });
      return true;
    } catch (error) {
      if (!isDuplicateKeyOnly(error)) throw error;
      return false;
    }
  }

  async findPage(tenantId: TenantId, query: AttemptQuery): Promise<Page<DeliveryAttemptDocument>> {
    const filter: FilterQuery<DeliveryAttemptDocument> = {
      tenantId,
      eventId: query.eventId,
      ...(query.webhookId ? { webhookId: query.webhookId } : {}),
      ...(query.success !== undefined ? { success: query.success } : {}),
      ...afterCursor<DeliveryAttemptDocument>(query.after, 'startedAt'),
    };
    const rows = await this.attempts
      .find(filter)
      .sort({ startedAt: -1, _id: -1 })
      .limit(query.limit + 1)
      .lean<DeliveryAttemptDocument[]>()
      .exec();
    return toPage(rows, query.limit, 'startedAt');
  }

  async countByEvent(tenantId: TenantId, eventId: string): Promise<number> {
    return this.attempts.countDocuments({ tenantId, eventId }).exec();
  }
}
