import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { AnyBulkWriteOperation, Model } from 'mongoose';
import { CoalescingQueue } from '@app/common';
import { findManyById, OwnedByIdReader } from '../lookup-by-id';
import { afterCursor, CursorPosition, Page, toPage } from '../pagination/cursor';
import { TenantId } from '../tenant';
import { kindFilter, kindReceiving, WebhookKind } from './webhook-kind';
import { StoredWebhookSecret, subscribesTo, WEBHOOK_MODEL, WebhookDocument } from './webhook.schema';

/** How stale a webhook's `lastSuccessAt` may be: it is rewritten at most this often under steady success. */
export const LAST_SUCCESS_PRECISION_MS = 60_000;

/** One webhook's outcome in a batch of attempts; a disable reason wins over the rest. */
export interface WebhookHealthOutcome {
  tenantId: TenantId;
  webhookId: string;
  success: boolean;
  at: Date;
  disableReason: string | null;
}

/** One caller's question to findActiveSubscribers. */
interface SubscriberQuery {
  tenantId: TenantId;
  eventType: string;
}

/** Subscriber questions answered per read: about a second's worth of concurrent event creations. */
const SUBSCRIBER_READ_BATCH = 500;

@Injectable()
export class WebhookRepository {
  /** Questions asked while a read is on its way are answered together by the next one. */
  private readonly subscriberReads = new CoalescingQueue<SubscriberQuery, WebhookDocument[]>(
    SUBSCRIBER_READ_BATCH,
    (queries) => this.readSubscribers(queries),
  );
  /** Likewise for the active webhooks of tenants (manual retries, dispatch batches). */
  private readonly tenantReads = new CoalescingQueue<TenantId[], WebhookDocument[]>(SUBSCRIBER_READ_BATCH, (asked) =>
    this.readActiveOfTenants(asked),
  );

  private readonly byId: OwnedByIdReader<WebhookDocument>;

  constructor(@InjectModel(WEBHOOK_MODEL) private readonly webhooks: Model<WebhookDocument>) {
    this.byId = new OwnedByIdReader(webhooks);
  }

  async findById(tenantId: TenantId, webhookId: string): Promise<WebhookDocument | null> {
    return this.byId.find(tenantId, webhookId);
  }

  async findByIds(tenantId: TenantId, webhookIds: string[]): Promise<WebhookDocument[]> {
    return (await findManyById(this.webhooks, webhookIds)).filter((webhook) => webhook.tenantId === tenantId);
  }

  /** Webhooks by id whatever their tenant, for a caller that checks each one's tenant itself. */
  async findByIdsOfAnyTenant(webhookIds: string[]): Promise<WebhookDocument[]> {
    return findManyById(this.webhooks, webhookIds);
  }

  /**
   * Active webhooks of the tenant that receive this event type (an empty eventTypes list means all), of
   * the kind the type goes to. Every event's creation asks this: read through the driver, like OwnedByIdReader.
   */
  async findActiveSubscribers(tenantId: TenantId, eventType: string): Promise<WebhookDocument[]> {
    return this.subscriberReads.push({ tenantId, eventType });
  }

  /**
   * One read for every distinct (tenant, type) asked, each answered with its own subscribers from it. A
   * read starts after the questions it answers were asked, so it sees every webhook created before them.
   */
  private async readSubscribers(queries: SubscriberQuery[]): Promise<WebhookDocument[][]> {
    const distinct = new Map(queries.map((query) => [`${query.tenantId}\n${query.eventType}`, query] as const));
    const filters = [...distinct.values()].map(subscriberFilter);
    const read = await this.webhooks.collection
      .find<WebhookDocument>(filters.length === 1 ? filters[0] : { $or: filters })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return queries.map(({ tenantId, eventType }) =>
      read.filter((webhook) => webhook.tenantId === tenantId && subscribesTo(webhook, eventType)),
    );
  }

  /**
   * Active webhooks of several tenants, oldest first: a dispatch batch resolves its subscribers from one
   * read, and a manual retry reads them with its event, at once. Through the driver, like OwnedByIdReader.
   */
  async findActiveOfTenants(tenantIds: TenantId[]): Promise<WebhookDocument[]> {
    if (tenantIds.length === 0) return [];
    return this.tenantReads.push(tenantIds);
  }

  /** One read for the tenants of every caller; each caller gets its own tenants' webhooks, oldest first. */
  private async readActiveOfTenants(asked: TenantId[][]): Promise<WebhookDocument[][]> {
    const read = await this.webhooks.collection
      .find<WebhookDocument>({ tenantId: { $in: [...new Set(asked.flat())] }, active: true })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return asked.map((tenantIds) => {
      const tenants = new Set<string>(tenantIds);
      return read.filter((webhook) => tenants.has(webhook.tenantId));
    });
  }

  /**
   * What a batch of attempts taught about its webhooks, in one bulk write: disables, the start of failure
   * streaks, and successes. A success is written only when it ends a streak or the stored one is over
   * LAST_SUCCESS_PRECISION_MS old, so a busy endpoint is not rewritten on every batch; the conditions sit in
   * the filters, where a write that changes nothing costs no document write.
   */
  async applyHealth(outcomes: WebhookHealthOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const operations: AnyBulkWriteOperation<WebhookDocument>[] = outcomes.map(
      ({ tenantId, webhookId, success, at, disableReason }) => {
        if (disableReason) {
          return {
            updateOne: {
              filter: { _id: webhookId, tenantId, active: true },
              update: { $set: { active: false, disabledReason: disableReason, disabledAt: at, updatedAt: at } },
            },
          };
        }
        if (!success) {
          return {
            updateOne: {
              filter: { _id: webhookId, tenantId, failingSince: null },
              update: { $set: { failingSince: at } },
            },
          };
        }
        const stale = new Date(at.getTime() - LAST_SUCCESS_PRECISION_MS);
        return {
          updateOne: {
            filter: {
              _id: webhookId,
              tenantId,
              $or: [{ failingSince: { $ne: null } }, { lastSuccessAt: null }, { lastSuccessAt: { $lt: stale } }],
            },
            update: { $set: { lastSuccessAt: at, failingSince: null } },
          },
        };
      },
    );
    await this.webhooks.collection.bulkWrite(operations as never[], { ordered: false });
  }

  async insert(webhook: WebhookDocument): Promise<void> {
    await this.webhooks.collection.insertOne(webhook as never);
  }

  /** GET /v1/webhooks and /v1/operational-webhooks: one kind, newest first, cursor-paginated. */
  async findPage(
    tenantId: TenantId,
    after: CursorPosition | undefined,
    limit: number,
    kind = WebhookKind.Ordinary,
  ): Promise<Page<WebhookDocument>> {
    const rows = await this.webhooks
      .find({ tenantId, ...kindFilter(kind), ...afterCursor<WebhookDocument>(after) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .lean<WebhookDocument[]>()
      .exec();
    return toPage(rows, limit);
  }

  /** Applies an API edit; resolves to the webhook as it is afterwards, or null when it does not exist. */
  async applyChanges(
    tenantId: TenantId,
    webhookId: string,
    changes: Partial<Omit<WebhookDocument, '_id' | 'tenantId' | 'createdAt'>>,
  ): Promise<WebhookDocument | null> {
    return this.webhooks
      .findOneAndUpdate({ _id: webhookId, tenantId }, { $set: { ...changes, updatedAt: new Date() } }, { new: true })
      .lean<WebhookDocument>()
      .exec();
  }

  /**
   * Replaces the secrets list only if nobody changed the webhook since `seenUpdatedAt` was read, so two
   * concurrent rotations cannot both keep "their" previous secret. Resolves to false on a lost race.
   */
  async replaceSecrets(
    tenantId: TenantId,
    webhookId: string,
    seenUpdatedAt: Date,
    secrets: StoredWebhookSecret[],
  ): Promise<boolean> {
    const result = await this.webhooks.updateOne(
      { _id: webhookId, tenantId, updatedAt: seenUpdatedAt },
      { $set: { secrets, updatedAt: new Date() } },
    );
    return result.modifiedCount === 1;
  }

  async deleteById(tenantId: TenantId, webhookId: string, kind = WebhookKind.Ordinary): Promise<boolean> {
    const result = await this.webhooks.deleteOne({ _id: webhookId, tenantId, ...kindFilter(kind) });
    return result.deletedCount === 1;
  }
}

/** Active webhooks of the tenant that receive this event type, of the kind the type goes to. */
function subscriberFilter({ tenantId, eventType }: SubscriberQuery): Record<string, unknown> {
  return {
    tenantId,
    active: true,
    ...kindFilter(kindReceiving(eventType)),
    $or: [{ eventTypes: { $size: 0 } }, { eventTypes: eventType }],
  };
}
