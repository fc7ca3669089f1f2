/** The shapes of the public /v1 API this page reads (see /docs on the api for the full contract). */

export type EventStatus = 'pending' | 'delivering' | 'delivered' | 'partially_delivered' | 'failed';
export const EVENT_STATUSES: EventStatus[] = ['pending', 'delivering', 'delivered', 'partially_delivered', 'failed'];

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';
export type RetryJobStatus = 'queued' | 'running' | 'completed' | 'cancelled' | 'failed';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface EventSummary {
  eventId: string;
  type: string;
  status: EventStatus;
  webhookCount: number;
  createdAt: string;
}

export interface EventDetail extends EventSummary {
  payload: Record<string, unknown>;
  idempotencyKey: string;
  updatedAt: string;
}

export interface WebhookDeliveryStatus {
  webhookId: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastErrorKind: string | null;
  nextAttemptAt: string | null;
}

export interface EventDeliveryStatus {
  eventId: string;
  type: string;
  status: EventStatus;
  createdAt: string;
  webhooks: WebhookDeliveryStatus[];
}

export interface DeliveryAttempt {
  attemptId: string;
  webhookId: string;
  url: string;
  commandId: string;
  trigger: 'initial' | 'automatic' | 'manual';
  requestedBy: string | null;
  attemptNumber: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  errorKind: string | null;
  errorMessage: string | null;
  responseBodyExcerpt: string | null;
  success: boolean;
}

export interface RetryResult {
  eventId: string;
  webhookCount: number;
  message: string;
}

export interface Webhook {
  webhookId: string;
  url: string;
  eventTypes: string[];
  description: string;
  active: boolean;
  fifo: boolean;
  /** Endpoint controls; an API without them leaves them out. Deliveries per second, null: unlimited. */
  rateLimit?: number | null;
  /** Request timeout in milliseconds; null: the service's DELIVERY_TIMEOUT. */
  timeout?: number | null;
  /** Static headers sent with every delivery; {} when none. */
  headers?: Record<string, string>;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** POST /v1/webhooks answers the webhook with its signing secret: the only time the API shows it. */
export interface CreatedWebhook extends Webhook {
  secret: string;
}

/** The fields POST /v1/webhooks takes, and PATCH /v1/webhooks/{id} takes any of. */
export interface WebhookInput {
  url: string;
  description: string;
  eventTypes: string[];
  active: boolean;
  fifo: boolean;
  /** As typed when not a number, so that the API's message says what is wrong; null clears it. */
  rateLimit: number | string | null;
  timeout: number | string | null;
  /** null clears them. */
  headers: Record<string, string> | null;
}

export interface RotatedSecret {
  webhookId: string;
  secret: string;
  previousSecretExpiresAt: string | null;
}

export interface WebhookSuccessRate {
  webhookId: string;
  attempts: number;
  succeeded: number;
  successRate: number | null;
}

export interface BulkRetryFilter {
  webhookId?: string;
  status?: EventStatus;
  type?: string;
  from?: string;
  to?: string;
}

export interface RetryJob {
  jobId: string;
  status: RetryJobStatus;
  filter: BulkRetryFilter;
  matched: number;
  queued: number;
  delivered: number;
  failed: number;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OutcomeCounts {
  succeeded: number;
  httpError: number;
  noResponse: number;
}

export interface DeliveryMinute extends OutcomeCounts {
  minute: string;
}

export interface DeliveriesPerMinute {
  from: string;
  to: string;
  totals: OutcomeCounts;
  buckets: DeliveryMinute[];
}
