import { Schema } from 'mongoose';
import { kindOf, kindReceiving, WebhookKind } from './webhook-kind';

export const WEBHOOK_MODEL = 'Webhook';

/** A signing secret in plaintext: what the API shows once and the dispatcher signs with; never stored. */
export interface WebhookSecret {
  secret: string;
  createdAt: Date;
  expiresAt: Date | null;
}

/** A secret's encrypted stored form (secret-cipher.ts); the brand keeps a plaintext from being stored by mistake. */
export type SealedSecret = string & { readonly __sealed: true };

/**
 * A signing secret as stored, sealed by webhook-secrets.ts under the current key or an older one; a
 * rotated-out secret keeps signing until `expiresAt`. A plaintext `whsec_` value from before encryption
 * remains only until the start-up migration (or `secrets reencrypt`) seals it.
 */
export interface StoredWebhookSecret extends Omit<WebhookSecret, 'secret'> {
  secret: SealedSecret;
}

/**
 * A static header sent with every delivery to the webhook. Stored as a list, not an object: header names
 * may hold `.` or start with `$`, which FerretDB refuses in field names.
 */
export interface WebhookHeader {
  name: string;
  value: string;
}

export interface WebhookDocument {
  _id: string;
  tenantId: string;
  url: string;
  /** Event types this webhook receives; empty means all. */
  eventTypes: string[];
  description: string;
  active: boolean;
  /** Strict per-webhook ordering: deliveries go in event order and a failing event holds back later ones. */
  fifo: boolean;
  /** Absent on webhooks from before kinds: those are ordinary. */
  kind?: WebhookKind;
  secrets: StoredWebhookSecret[];
  /** Deliveries per second across all dispatchers; null or absent (webhooks from before it) is unlimited. */
  rateLimit?: number | null;
  /** Request timeout for this endpoint; null or absent means DELIVERY_TIMEOUT. */
  timeoutMs?: number | null;
  /** Static headers sent with every delivery; absent on webhooks from before them. */
  headers?: WebhookHeader[];
  disabledReason: string | null;
  disabledAt: Date | null;
  /** First failure since the last success; drives auto-disable. */
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A webhook as first stored: no delivery history yet, and disabled from the start only when created with a
 * `disabledReason`.
 */
export function newWebhook(
  webhook: Pick<WebhookDocument, '_id' | 'tenantId' | 'url' | 'secrets'> &
    Partial<
      Pick<
        WebhookDocument,
        'eventTypes' | 'description' | 'fifo' | 'rateLimit' | 'timeoutMs' | 'headers' | 'disabledReason'
      >
    >,
  now: Date,
): WebhookDocument {
  const disabledReason = webhook.disabledReason ?? null;
  return {
    _id: webhook._id,
    tenantId: webhook.tenantId,
    url: webhook.url,
    eventTypes: webhook.eventTypes ?? [],
    description: webhook.description ?? '',
    active: disabledReason === null,
    fifo: webhook.fifo ?? false,
    secrets: webhook.secrets,
    rateLimit: webhook.rateLimit ?? null,
    timeoutMs: webhook.timeoutMs ?? null,
    headers: webhook.headers ?? [],
    disabledReason,
    disabledAt: disabledReason === null ? null : now,
    failingSince: null,
    lastSuccessAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

const WebhookSecretSchema = new Schema<StoredWebhookSecret>(
  {
    secret: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
  },
  { _id: false },
);

const WebhookHeaderSchema = new Schema<WebhookHeader>(
  {
    name: { type: String, required: true },
    value: { type: String, required: true },
  },
  { _id: false },
);

export const WebhookSchema = new Schema<WebhookDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    url: { type: String, required: true },
    eventTypes: { type: [String], default: [] },
    description: { type: String, default: '' },
    active: { type: Boolean, default: true },
    fifo: { type: Boolean, default: false },
    kind: { type: String, enum: Object.values(WebhookKind) },
    secrets: { type: [WebhookSecretSchema], default: [] },
    rateLimit: { type: Number, default: null },
    timeoutMs: { type: Number, default: null },
    headers: { type: [WebhookHeaderSchema], default: [] },
    disabledReason: { type: String, default: null },
    disabledAt: { type: Date, default: null },
    failingSince: { type: Date, default: null },
    lastSuccessAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'webhooks', versionKey: false },
);
/**
 * Whether the webhook receives events of this type: only a webhook of the kind the type goes to
 * (operational events to operational webhooks), and there an empty eventTypes list means every type.
 */
export const subscribesTo = (webhook: Pick<WebhookDocument, 'eventTypes' | 'kind'>, eventType: string): boolean =>
  kindOf(webhook) === kindReceiving(eventType) &&
  (webhook.eventTypes.length === 0 || webhook.eventTypes.includes(eventType));

// Serves: fan-out to a tenant's active webhooks, and GET /v1/webhooks (newest first).
WebhookSchema.index({ tenantId: 1, active: 1 });
WebhookSchema.index({ tenantId: 1, createdAt: -1, _id: -1 });
