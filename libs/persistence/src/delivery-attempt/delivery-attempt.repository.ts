import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model } from 'mongoose';
import { DeliveryLogV1 } from '@app/contracts';
import { afterCursor, CursorPosition, Page, toPage } from '../pagination/cursor';
import { TenantId } from '../tenant';
import { DELIVERY_ATTEMPT_MODEL, DeliveryAttemptDocument } from './delivery-attempt.schema';

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
   * hydration), skipping those already stored: a log read twice from Kafka, or republished after a
   * crash, is written once. Returns how many were new.
   */
  async insertLogs(logs: DeliveryLogV1[]): Promise<number> {
    if (logs.length === 0) return 0;
    const now = new Date();
    const documents: DeliveryAttemptDocument[] = logs.map((log) => ({
      _id: log.attemptId,
      tenantId: log.tenantId,
      eventId: log.eventId,
      webhookId: log.webhookId,
      url: log.url,
      commandId: log.commandId,
      trigger: log.trigger,
      attemptNumber: log.attemptNumber,
      startedAt: new Date(log.startedAt),
      durationMs: log.durationMs,
      success: log.success,
      statusCode: log.statusCode,
      errorKind: log.errorKind,
      errorMessage: log.errorMessage,
      responseBodyExcerpt: log.responseBodyExcerpt,
      createdAt: now,
    }));
    // Known ids are filtered out first rather than left to collide: FerretDB stops an unordered insert
    // at its first duplicate and drops the documents after it.
    const existing = new Set(
      (
        await this.attempts
          .find({ _id: { $in: documents.map(({ _id }) => _id) } }, { _id: 1 })
          .lean()
          .exec()
      ).map(({ _id }) => String(_id)),
    );
    const fresh = documents.filter(({ _id }) => !existing.has(_id));
    if (fresh.length === 0) return 0;
    try {
      await this.attempts.collection.insertMany(fresh as never[], { ordered: false });
    } catch (error) {
      const writeErrors = (error as { writeErrors?: { code: number }[] }).writeErrors;
      const duplicatesOnly = Array.isArray(writeErrors) && writeErrors.every((each) => each.code === 11000);
      if (!duplicatesOnly) throw error;
      // Another writer stored some of them meanwhile (a rebalance overlap): store what is still missing.
      return this.insertLogs(logs);
    }
    return fresh.length;
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
