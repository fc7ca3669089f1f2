import { randomUUID } from 'node:crypto';
import mongoose, { Connection, Model } from 'mongoose';
import {
  DELIVERY_ATTEMPT_MODEL,
  DELIVERY_MODEL,
  DeliveryAttemptDocument,
  DeliveryAttemptSchema,
  DeliveryDocument,
  DeliverySchema,
  deliveryIdOf,
  ensureSchema,
  pendingDeliveryRow,
  persistenceModels,
  EVENT_MODEL,
  EventDocument,
  EventSchema,
  loadSecretKeyRing,
  newWebhook,
  pendingEvent,
  sealWebhookSecrets,
  SecretCipher,
  WEBHOOK_MODEL,
  WebhookDocument,
  WebhookSchema,
  WebhookSecret,
} from '@app/persistence';
import { newSigningSecret } from '../../apps/api/src/webhooks/webhook-secret';
import { testMongoUri } from './infra';

/** A signing secret in the format the API issues. */
export const newSecret = newSigningSecret;

/**
 * The cipher of the apps the tests start (NODE_ENV=test, the same key settings): by default the key file
 * that development and test generate in .run/, so what one writes the other reads.
 */
export function testSecretCipher(): SecretCipher {
  return new SecretCipher(
    loadSecretKeyRing({
      NODE_ENV: 'test',
      SECRETS_ENCRYPTION_KEY: process.env.SECRETS_ENCRYPTION_KEY ?? '',
      SECRETS_ENCRYPTION_KEY_FILE: process.env.SECRETS_ENCRYPTION_KEY_FILE ?? '',
      SECRETS_DECRYPTION_KEYS: process.env.SECRETS_DECRYPTION_KEYS ?? '',
      SECRETS_DECRYPTION_KEYS_FILE: process.env.SECRETS_DECRYPTION_KEYS_FILE ?? '',
    }),
  );
}

/** A stored webhook, with the plaintext of the secrets it was created with (the database has them sealed). */
export type TestWebhook = WebhookDocument & { signingSecrets: WebhookSecret[] };

/**
 * Direct access to the test database through the project's own schemas: to set up webhooks and events
 * the way the API would store them, and to read back what the dispatcher recorded.
 */
export class TestDatabase {
  readonly webhooks: Model<WebhookDocument>;
  readonly events: Model<EventDocument>;
  readonly deliveries: Model<DeliveryDocument>;
  readonly attempts: Model<DeliveryAttemptDocument>;
  readonly cipher = testSecretCipher();

  private constructor(
    readonly connection: Connection,
    readonly uri: string,
  ) {
    this.webhooks = connection.model(WEBHOOK_MODEL, WebhookSchema);
    this.events = connection.model(EVENT_MODEL, EventSchema);
    this.deliveries = connection.model(DELIVERY_MODEL, DeliverySchema);
    this.attempts = connection.model(DELIVERY_ATTEMPT_MODEL, DeliveryAttemptSchema);
  }

  static async connect(name: string): Promise<TestDatabase> {
    const uri = testMongoUri(`${name}_${process.pid}`);
    const connection = await mongoose
      .createConnection(uri, { serverSelectionTimeoutMS: 10_000, autoIndex: false, autoCreate: false, maxPoolSize: 10 })
      .asPromise();
    for (const { name: modelName, schema } of persistenceModels) connection.model(modelName, schema);
    const database = new TestDatabase(connection, uri);
    // Before any app starts, so the apps' own check finds everything in place.
    await ensureSchema(connection);
    return database;
  }

  async createWebhook(
    tenantId: string,
    url: string,
    options: Partial<Pick<WebhookDocument, 'eventTypes' | 'fifo' | 'rateLimit' | 'timeoutMs' | 'headers'>> & {
      secrets?: WebhookSecret[];
      /** Seals under another key than the apps' default one (key rotation tests). */
      cipher?: SecretCipher;
    } = {},
  ): Promise<TestWebhook> {
    const now = new Date();
    const webhookId = randomUUID();
    const signingSecrets = options.secrets ?? [{ secret: newSecret(), createdAt: now, expiresAt: null }];
    const webhook = newWebhook(
      {
        _id: webhookId,
        tenantId,
        url,
        eventTypes: options.eventTypes,
        fifo: options.fifo,
        rateLimit: options.rateLimit,
        timeoutMs: options.timeoutMs,
        headers: options.headers,
        secrets: sealWebhookSecrets(options.cipher ?? this.cipher, webhookId, signingSecrets),
      },
      now,
    );
    await this.webhooks.collection.insertOne(webhook as never);
    return { ...webhook, signingSecrets };
  }

  /** Stores an event and pending deliveries to the given webhooks, as POST /v1/webhooks/events does. */
  async createEvent(
    tenantId: string,
    type: string,
    payload: unknown,
    webhooks: WebhookDocument[] = [],
    eventId: string = randomUUID(),
  ): Promise<EventDocument> {
    const now = new Date();
    const event = pendingEvent(
      { _id: eventId, tenantId, type, payloadJson: JSON.stringify(payload), idempotencyKey: randomUUID() },
      webhooks.map((webhook) => webhook._id),
      now,
    );
    await this.events.collection.insertOne(event as never);
    if (webhooks.length > 0) {
      await this.deliveries.collection.insertMany(
        webhooks.map((webhook) =>
          pendingDeliveryRow({ tenantId, eventId: event._id, webhookId: webhook._id, url: webhook.url }, now),
        ) as never[],
      );
    }
    return event;
  }

  /** `count` events, event i targeting `webhooks[i % webhooks.length]`, stored in two bulk writes. */
  async createEvents(
    tenantId: string,
    type: string,
    count: number,
    webhooks: WebhookDocument[],
    payloadOf: (index: number) => unknown = (index) => ({ index }),
  ): Promise<EventDocument[]> {
    const now = new Date();
    const events = Array.from({ length: count }, (_, index) =>
      pendingEvent(
        {
          _id: randomUUID(),
          tenantId,
          type,
          payloadJson: JSON.stringify(payloadOf(index)),
          idempotencyKey: randomUUID(),
        },
        [webhooks[index % webhooks.length]._id],
        now,
      ),
    );
    await this.events.collection.insertMany(events as never[]);
    await this.deliveries.collection.insertMany(
      events.map((event, index) => {
        const webhook = webhooks[index % webhooks.length];
        return pendingDeliveryRow({ tenantId, eventId: event._id, webhookId: webhook._id, url: webhook.url }, now);
      }) as never[],
    );
    return events;
  }

  /** A tenant's events created with any of these idempotency keys (e.g. published to Kafka by a test). */
  eventsWithIdempotencyKeys(tenantId: string, keys: string[]): Promise<EventDocument[]> {
    return this.events
      .find({ tenantId, idempotencyKey: { $in: keys } })
      .lean<EventDocument[]>()
      .exec();
  }

  attemptsOf(eventId: string): Promise<DeliveryAttemptDocument[]> {
    return this.attempts.find({ eventId }).sort({ startedAt: 1 }).lean<DeliveryAttemptDocument[]>().exec();
  }

  deliveryOf(eventId: string, webhookId: string): Promise<DeliveryDocument | null> {
    return this.deliveries.findById(deliveryIdOf(eventId, webhookId)).lean<DeliveryDocument>().exec();
  }

  eventById(eventId: string): Promise<EventDocument | null> {
    return this.events.findById(eventId).lean<EventDocument>().exec();
  }

  webhookById(webhookId: string): Promise<WebhookDocument | null> {
    return this.webhooks.findById(webhookId).lean<WebhookDocument>().exec();
  }

  /**
   * Closes without dropping the database: a drop while the server still runs queries of just-killed
   * app processes crashed FerretDB/SQLite (SIGBUS in its WAL index). Each run starts from a wiped
   * test stack instead (infra/stack.sh acquire), and database names are unique per run.
   */
  async close(): Promise<void> {
    await this.connection.close();
  }
}
