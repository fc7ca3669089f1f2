import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model } from 'mongoose';
import { DeliveryLogV1 } from '@app/contracts';
import { insertMissing } from '../insert-missing';
import { findManyById } from '../lookup-by-id';
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
   * hydration); an attempt recorded again after a crash is stored once. Returns the
   * attempt ids this call stored, for what must happen once per attempt.
   */
  async insertLogs(logs: DeliveryLogV1[]): Promise<string[]> {
    if (logs.length === 0) return [];
    const now = new Date();
    const documents = logs.map((log) => attemptDocumentOf(log, now));
    // The usual batch is all new: one insert, no read.
    return insertMissing(this.attempts, documents, { expectNew: true });
  }

  /** Attempts by id, from the `_id` index: the dispatcher's check for attempts a replayed command already made. */
  async findByIds(attemptIds: string[]): Promise<DeliveryAttemptDocument[]> {
    if (attemptIds.length === 0) return [];
    return findManyById(this.attempts, attemptIds);
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

  /** Sets the numbers the log writer worked out where they differ from the dispatcher's guess. */
  async renumber(numbers: { attemptId: string; attemptNumber: number }[]): Promise<void> {
    if (numbers.length === 0) return;
    await this.attempts.bulkWrite(
      numbers.map(({ attemptId, attemptNumber }) => ({
        updateOne: { filter: { _id: attemptId }, update: { $set: { attemptNumber } } },
      })),
      { ordered: false },
    );
  }

  async countByEvent(tenantId: TenantId, eventId: string): Promise<number> {
    return this.attempts.countDocuments({ tenantId, eventId }).exec();
  }
}
