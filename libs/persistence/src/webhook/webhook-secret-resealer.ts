import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { AnyBulkWriteOperation, Model } from 'mongoose';
import { SecretCipher } from '../secret-encryption/secret-cipher';
import { isLegacyPlaintext, openWebhookSecrets, sealWebhookSecrets } from './webhook-secrets';
import { StoredWebhookSecret, WEBHOOK_MODEL, WebhookDocument } from './webhook.schema';

/** `plaintext`: seal what predates encryption (the start-up migration); `all`: also move older keys' values. */
export type ResealScope = 'plaintext' | 'all';

export interface ResealProgress {
  /** Webhooks read so far, and those rewritten under the current key. */
  scanned: number;
  resealed: number;
  /** Webhooks whose secrets no configured key opens, with the reason; left as they are. */
  unreadable: { webhookId: string; reason: string }[];
  /** Webhooks still not rewritten because they kept changing under us (a rotation); a later run takes them. */
  skipped: number;
  /** The last webhook id done: a run stopped here can go on after it. */
  lastId: string | null;
}

/** A batch that lost a race with a rotation is read and written again, at most this many times. */
const RACE_RETRIES = 3;

/**
 * Rewrites webhook secrets under the current key, a batch at a time in _id order, while the apps keep
 * running: every process opens values of the current and the older keys alike, so a half-done pass is
 * harmless, and a pass stopped at any point can simply run again (done webhooks only cost a read).
 * Reads across tenants: an operator's pass over the whole collection.
 */
@Injectable()
export class WebhookSecretResealer {
  constructor(
    @InjectModel(WEBHOOK_MODEL) private readonly webhooks: Model<WebhookDocument>,
    private readonly cipher: SecretCipher,
  ) {}

  async resealAll(
    scope: ResealScope,
    options: { batchSize?: number; after?: string | null; onBatch?: (progress: ResealProgress) => void } = {},
  ): Promise<ResealProgress> {
    const progress: ResealProgress = { scanned: 0, resealed: 0, unreadable: [], skipped: 0, lastId: null };
    let after = options.after ?? null;
    for (;;) {
      const batch = await this.resealBatch(scope, after, options.batchSize ?? 200);
      if (batch.scanned === 0) return progress;
      progress.scanned += batch.scanned;
      progress.resealed += batch.resealed;
      progress.unreadable.push(...batch.unreadable);
      progress.skipped += batch.skipped;
      progress.lastId = after = batch.lastId;
      options.onBatch?.(progress);
    }
  }

  /** One batch after `after`; webhooks changed between our read and our write are read again. */
  async resealBatch(scope: ResealScope, after: string | null, limit: number): Promise<ResealProgress> {
    const rows = await this.webhooks.collection
      .find<Pick<WebhookDocument, '_id' | 'tenantId' | 'secrets' | 'updatedAt'>>(
        after === null ? {} : { _id: { $gt: after } as never },
        { projection: { tenantId: 1, secrets: 1, updatedAt: 1 } },
      )
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    const progress: ResealProgress = {
      scanned: rows.length,
      resealed: 0,
      unreadable: [],
      skipped: 0,
      lastId: rows.at(-1)?._id ?? after,
    };
    let pending = rows;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const writes: { row: (typeof rows)[number]; update: AnyBulkWriteOperation<WebhookDocument> }[] = [];
      for (const row of pending) {
        try {
          const secrets = this.resealed(scope, row._id, row.secrets);
          if (!secrets) continue;
          // updatedAt unchanged: a reseal is no edit of the webhook, and a rotation (which sets it) wins the race.
          const filter = { _id: row._id, tenantId: row.tenantId, updatedAt: row.updatedAt };
          writes.push({ row, update: { updateOne: { filter, update: { $set: { secrets } } } } });
        } catch (error) {
          progress.unreadable.push({ webhookId: row._id, reason: (error as Error).message });
        }
      }
      if (writes.length === 0) break;
      const result = await this.webhooks.bulkWrite(
        writes.map((write) => write.update),
        { ordered: false },
      );
      progress.resealed += result.matchedCount;
      if (result.matchedCount === writes.length) break;
      if (attempt === RACE_RETRIES) {
        progress.skipped += writes.length - result.matchedCount;
        break;
      }
      pending = await this.webhooks.collection
        .find<(typeof rows)[number]>(
          { _id: { $in: writes.map((write) => write.row._id) } as never },
          { projection: { tenantId: 1, secrets: 1, updatedAt: 1 } },
        )
        .toArray();
    }
    return progress;
  }

  /** The secrets rewritten as the scope asks, or null when none needs it. */
  private resealed(
    scope: ResealScope,
    webhookId: string,
    secrets: StoredWebhookSecret[],
  ): StoredWebhookSecret[] | null {
    const moves = (entry: StoredWebhookSecret) =>
      isLegacyPlaintext(entry.secret) ||
      (scope === 'all' && SecretCipher.keyIdOf(entry.secret) !== this.cipher.currentKeyId);
    if (!secrets.some(moves)) return null;
    return secrets.map((entry) =>
      moves(entry)
        ? sealWebhookSecrets(this.cipher, webhookId, openWebhookSecrets(this.cipher, webhookId, [entry]))[0]
        : entry,
    );
  }
}
