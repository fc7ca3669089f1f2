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
   * hydration). A log read twice from Kafka collides on its attempt id and is skipped.
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
    try {
      const result = await this.attempts.collection.insertMany(documents as never[], { ordered: false });
      return result.insertedCount;
    } catch (error) {
      const writeErrors = (error as { writeErrors?: { code: number }[] }).writeErrors;
      const duplicatesOnly = Array.isArray(writeErrors) && writeErrors.every((each) => each.code === 11000);
      if (!duplicatesOnly) throw error;
      return documents.length - writeErrors.length;
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
