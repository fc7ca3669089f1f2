import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { DELIVERY_ATTEMPT_MODEL, DeliveryAttemptDocument, TenantId } from '@app/persistence';

/** The fields an outcome is read from. */
export type AttemptOutcomeFields = Pick<DeliveryAttemptDocument, 'startedAt' | 'success' | 'statusCode'>;

export interface SuccessCount {
  webhookId: string;
  success: boolean;
  count: number;
}

/**
 * Read-only aggregates over delivery attempts for the console's charts. Both queries are tenant-scoped
 * and served by the attempts index on (tenantId, webhookId, startedAt).
 *
 * It lives beside its only user rather than in DeliveryAttemptRepository so that the console ships
 * without touching the persistence lib; it only reads, so it cannot disagree with the writers.
 */
@Injectable()
export class DeliveryAttemptStatsReader {
  constructor(@InjectModel(DELIVERY_ATTEMPT_MODEL) private readonly attempts: Model<DeliveryAttemptDocument>) {}

  /**
   * Streams the attempts started in [from, to). Bucketing happens in the caller because FerretDB, our
   * test database, implements no date or arithmetic operators in $group ($dateTrunc, $subtract).
   */
  async forEachAttempt(
    tenantId: TenantId,
    range: { from: Date; to: Date; webhookId?: string },
    visit: (attempt: AttemptOutcomeFields) => void,
  ): Promise<void> {
    const cursor = this.attempts
      .find(
        {
          tenantId,
          ...(range.webhookId ? { webhookId: range.webhookId } : {}),
          startedAt: { $gte: range.from, $lt: range.to },
        },
        { _id: 0, startedAt: 1, success: 1, statusCode: 1 },
      )
      .lean<AttemptOutcomeFields>()
      .batchSize(2_000)
      .cursor();
    for await (const attempt of cursor) visit(attempt as AttemptOutcomeFields);
  }

  /** Attempts per (webhook, success) started in [from, to), for the given webhooks only. */
  async countByWebhookAndSuccess(
    tenantId: TenantId,
    webhookIds: string[],
    range: { from: Date; to: Date },
  ): Promise<SuccessCount[]> {
    const rows = await this.attempts
      .aggregate<{ _id: { webhookId: string; success: boolean }; count: number }>([
        { $match: { tenantId, webhookId: { $in: webhookIds }, startedAt: { $gte: range.from, $lt: range.to } } },
        { $group: { _id: { webhookId: '$webhookId', success: '$success' }, count: { $sum: 1 } } },
      ])
      .exec();
    return rows.map(({ _id, count }) => ({ webhookId: _id.webhookId, success: _id.success, count }));
  }
}
