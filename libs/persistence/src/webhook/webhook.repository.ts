import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { TenantId } from '../tenant';
import { WEBHOOK_MODEL, WebhookDocument } from './webhook.schema';

@Injectable()
export class WebhookRepository {
  constructor(@InjectModel(WEBHOOK_MODEL) private readonly webhooks: Model<WebhookDocument>) {}

  async findById(tenantId: TenantId, webhookId: string): Promise<WebhookDocument | null> {
    return this.webhooks.findOne({ _id: webhookId, tenantId }).lean<WebhookDocument>().exec();
  }

  async findByIds(tenantId: TenantId, webhookIds: string[]): Promise<WebhookDocument[]> {
    return this.webhooks
      .find({ _id: { $in: webhookIds }, tenantId })
      .lean<WebhookDocument[]>()
      .exec();
  }

  /** Active webhooks of the tenant that receive this event type (an empty eventTypes list means all). */
  async findActiveSubscribers(tenantId: TenantId, eventType: string): Promise<WebhookDocument[]> {
    return this.webhooks
      .find({ tenantId, active: true, $or: [{ eventTypes: { $size: 0 } }, { eventTypes: eventType }] })
      .sort({ createdAt: 1, _id: 1 })
      .lean<WebhookDocument[]>()
      .exec();
  }

  async disable(tenantId: TenantId, webhookId: string, reason: string): Promise<void> {
    const now = new Date();
    await this.webhooks.updateOne(
      { _id: webhookId, tenantId, active: true },
      { $set: { active: false, disabledReason: reason, disabledAt: now, updatedAt: now } },
    );
  }

  async recordSuccess(tenantId: TenantId, webhookId: string, at: Date): Promise<void> {
    await this.webhooks.updateOne({ _id: webhookId, tenantId }, { $set: { lastSuccessAt: at, failingSince: null } });
  }

  /** Marks the start of a failure streak; no-op while one is already running. */
  async recordFailure(tenantId: TenantId, webhookId: string, at: Date): Promise<void> {
    await this.webhooks.updateOne({ _id: webhookId, tenantId, failingSince: null }, { $set: { failingSince: at } });
  }
}
