import { DeliveryTrigger } from './delivery-trigger';
import { derivedUuidOf } from './derived-uuid';

/** Why an attempt failed without an HTTP status. Wire values: never rename. */
export enum DeliveryErrorKind {
  Timeout = 'timeout',
  ConnectionRefused = 'connection_refused',
  ConnectionReset = 'connection_reset',
  DnsFailure = 'dns_failure',
  TlsError = 'tls_error',
  BlockedTarget = 'blocked_target',
  Redirect = 'redirect',
  HttpError = 'http_error',
  WebhookDisabled = 'webhook_disabled',
  /** Not an attempt's error: the webhook was deleted while the delivery was still open. */
  WebhookDeleted = 'webhook_deleted',
  NetworkError = 'network_error',
}

/** State of one (event, webhook) delivery. Wire values: never rename. */
export enum DeliveryStatus {
  Pending = 'pending',
  Retrying = 'retrying',
  Delivered = 'delivered',
  Failed = 'failed',
}

/**
 * An attempt's id follows from its command and webhook: a command replayed after a crash finds the
 * attempt it already made (the dispatcher's outbox), and a request sent again carries the same id.
 */
export const attemptIdOf = (commandId: string, webhookId: string): string =>
  derivedUuidOf(`attempt:${commandId}:${webhookId}`);

/**
 * Value of a message on `webhooks.delivery-logs.v1`, one per attempt, produced by the dispatcher and
 * written to MongoDB by the log writer (idempotently, on `attemptId`).
 */
export interface DeliveryLogV1 {
  version: 1;
  attemptId: string;
  tenantId: string;
  eventId: string;
  webhookId: string;
  url: string;
  commandId: string;
  trigger: DeliveryTrigger;
  /** Who asked for the attempt: the command's `requestedBy` (an API token id, a service's name); absent when it named no one. */
  requestedBy?: string;
  /**
   * The dispatcher's count when it sent the attempt. The stored attempt (GET .../logs) is numbered by the
   * log writer in the order attempts were made; two attempts of one delivery sent within the writer's lag
   * can carry the same number here.
   */
  attemptNumber: number;
  startedAt: string;
  durationMs: number;
  success: boolean;
  statusCode: number | null;
  errorKind: DeliveryErrorKind | null;
  errorMessage: string | null;
  responseBodyExcerpt: string | null;
  /** Failures counted by the automatic schedule after this attempt (manual attempts leave it as it was). */
  scheduledFailures: number;
  /** The delivery's state after this attempt. */
  deliveryStatus: DeliveryStatus;
  /** When the next automatic attempt is due; null when none is; absent when this attempt left the schedule as it was. */
  nextAttemptAt?: string | null;
  /** true on attempts to a FIFO webhook: the log writer then releases the webhook's next delivery. */
  fifo?: boolean;
  /** Set when this attempt caused the webhook to be disabled (410 Gone, auto-disable). */
  disabledReason?: string;
  retryJobId?: string;
  /**
   * true when the dispatcher stored the attempt before publishing this event (delivery_attempts, the
   * outbox). Dispatchers of earlier releases left that to the log writer, which still does it for an
   * event without the flag.
   */
  stored?: true;
}
