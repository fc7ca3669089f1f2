import { randomUUID } from 'node:crypto';
import mongoose, { Connection } from 'mongoose';
import {
  DELIVERY_MODEL,
  pendingDeliveryRow,
  ensureSchema,
  EVENT_MODEL,
  EventDocument,
  newWebhook,
  pendingEvent,
  persistenceModels,
  sealWebhookSecrets,
  WEBHOOK_MODEL,
  WebhookDocument,
} from '@app/persistence';
import { newSigningSecret } from '../../apps/api/src/webhooks/webhook-secret';
import { benchSecretCipher } from './app-process';
import { paddedPayloadJson } from './payload';

/** Inserts are sent in chunks of this many documents. */
const INSERT_CHUNK = 5_000;

/**
 * One bench database through the project's own schemas and indexes (ensureSchema), seeded the way the
 * API stores webhooks, events and their pending deliveries.
 */
export class BenchDatabase {
  private readonly cipher = benchSecretCipher();

  private constructor(readonly connection: Connection) {}

  static async connect(uri: string): Promise<BenchDatabase> {
    const connection = await mongoose
      .createConnection(uri, { serverSelectionTimeoutMS: 10_000, autoIndex: false, autoCreate: false, maxPoolSize: 10 })
      .asPromise();
    for (const { name, schema } of persistenceModels) connection.model(name, schema);
    await ensureSchema(connection);
    return new BenchDatabase(connection);
  }

  collection(model: string) {
    return this.connection.model(model).collection;
  }

  async createWebhooks(tenantId: string, urls: string[]): Promise<WebhookDocument[]> {
    const now = new Date();
    const webhooks = urls.map((url) => {
      const webhookId = randomUUID();
      return newWebhook(
        {
          _id: webhookId,
          tenantId,
          url,
          description: 'bench',
          // Sealed as the API stores them, under the key BenchApp gives the apps.
          secrets: sealWebhookSecrets(this.cipher, webhookId, [
            { secret: newSigningSecret(), createdAt: now, expiresAt: null },
          ]),
        },
        now,
      );
    });
    await this.collection(WEBHOOK_MODEL).insertMany(webhooks as never[]);
    return webhooks;
  }

  /** `count` events with 1 KiB envelopes, event i pending to `webhooks[i % webhooks.length]`. */
  async createEvents(tenantId: string, count: number, webhooks: WebhookDocument[]): Promise<EventDocument[]> {
    const now = new Date();
    const events = Array.from({ length: count }, (_, index) => {
      const head = { _id: randomUUID(), type: 'bench.delivery', createdAt: now };
      const payloadJson = paddedPayloadJson(head, index);
      return pendingEvent(
        { _id: head._id, tenantId, type: head.type, payloadJson, idempotencyKey: randomUUID() },
        [webhooks[index % webhooks.length]._id],
        now,
      );
    });
    for (let start = 0; start < count; start += INSERT_CHUNK) {
      const chunk = events.slice(start, start + INSERT_CHUNK);
      await this.collection(EVENT_MODEL).insertMany(chunk as never[], { ordered: false });
      await this.collection(DELIVERY_MODEL).insertMany(
        chunk.map((event, offset) => {
          const webhook = webhooks[(start + offset) % webhooks.length];
          return pendingDeliveryRow({ tenantId, eventId: event._id, webhookId: webhook._id, url: webhook.url }, now);
        }) as never[],
        { ordered: false },
      );
    }
    return events;
  }

  /** Closed, not dropped: dropping under FerretDB while apps still query it has crashed it (see TestDatabase). */
  close(): Promise<void> {
    return this.connection.close();
  }
}
