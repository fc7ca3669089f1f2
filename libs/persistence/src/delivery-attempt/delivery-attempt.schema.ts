import { Schema } from 'mongoose';
import { DeliveryErrorKind, DeliveryLogV1, DeliveryStatus, DeliveryTrigger } from '@app/contracts';

export const DELIVERY_ATTEMPT_MODEL = 'DeliveryAttempt';

/**
 * One delivery attempt: the rows behind GET .../logs. Written by the dispatcher that made the attempt,
 * before it publishes the attempt's delivery-log event: an outbox. It holds everything that event says,
 * so a dispatcher that replays the command after a crash finds it, publishes the event again, and sends
 * nothing. Its number is set by the log writer when it differs from the dispatcher's guess.
 */
export interface DeliveryAttemptDocument {
  /** The attempt id. */
  _id: string;
  tenantId: string;
  eventId: string;
  webhookId: string;
  url: string;
  commandId: string;
  trigger: DeliveryTrigger;
  /** The command's `requestedBy`; null when it named no one. */
  requestedBy: string | null;
  /** 1 for a delivery's first attempt, counting initial, automatic and manual attempts in the order made. */
  attemptNumber: number;
  startedAt: Date;
  durationMs: number;
  success: boolean;
  statusCode: number | null;
  errorKind: DeliveryErrorKind | null;
  errorMessage: string | null;
  responseBodyExcerpt: string | null;
  /** The delivery's schedule and state as this attempt left them (see DeliveryLogV1). */
  scheduledFailures: number;
  deliveryStatus: DeliveryStatus;
  /** Absent when the attempt left the schedule as it was (a manual attempt). */
  nextAttemptAt?: Date | null;
  fifo?: boolean;
  disabledReason?: string;
  retryJobId?: string;
  createdAt: Date;
}

/** The stored attempt for a delivery-log event. */
export function attemptDocumentOf(log: DeliveryLogV1, now: Date): DeliveryAttemptDocument {
  return {
    _id: log.attemptId,
    tenantId: log.tenantId,
    eventId: log.eventId,
    webhookId: log.webhookId,
    url: log.url,
    commandId: log.commandId,
    trigger: log.trigger,
    requestedBy: log.requestedBy ?? null,
    attemptNumber: log.attemptNumber,
    startedAt: new Date(log.startedAt),
    durationMs: log.durationMs,
    success: log.success,
    statusCode: log.statusCode,
    errorKind: log.errorKind,
    errorMessage: log.errorMessage,
    responseBodyExcerpt: log.responseBodyExcerpt,
    scheduledFailures: log.scheduledFailures,
    deliveryStatus: log.deliveryStatus,
    ...(log.nextAttemptAt !== undefined
      ? { nextAttemptAt: log.nextAttemptAt === null ? null : new Date(log.nextAttemptAt) }
      : {}),
    ...(log.fifo ? { fifo: true } : {}),
    ...(log.disabledReason ? { disabledReason: log.disabledReason } : {}),
    ...(log.retryJobId ? { retryJobId: log.retryJobId } : {}),
    createdAt: now,
  };
}

/** The delivery-log event a stored attempt was made from, to publish again. */
export function logOfAttempt(attempt: DeliveryAttemptDocument): DeliveryLogV1 {
  return {
    version: 1,
    attemptId: attempt._id,
    tenantId: attempt.tenantId,
    eventId: attempt.eventId,
    webhookId: attempt.webhookId,
    url: attempt.url,
    commandId: attempt.commandId,
    trigger: attempt.trigger,
    ...(attempt.requestedBy ? { requestedBy: attempt.requestedBy } : {}),
    attemptNumber: attempt.attemptNumber,
    startedAt: new Date(attempt.startedAt).toISOString(),
    durationMs: attempt.durationMs,
    success: attempt.success,
    statusCode: attempt.statusCode,
    errorKind: attempt.errorKind,
    errorMessage: attempt.errorMessage,
    responseBodyExcerpt: attempt.responseBodyExcerpt,
    scheduledFailures: attempt.scheduledFailures,
    deliveryStatus: attempt.deliveryStatus,
    ...(attempt.nextAttemptAt !== undefined
      ? { nextAttemptAt: attempt.nextAttemptAt === null ? null : new Date(attempt.nextAttemptAt).toISOString() }
      : {}),
    ...(attempt.fifo ? { fifo: true } : {}),
    ...(attempt.disabledReason ? { disabledReason: attempt.disabledReason } : {}),
    ...(attempt.retryJobId ? { retryJobId: attempt.retryJobId } : {}),
    stored: true,
  };
}

export const DeliveryAttemptSchema = new Schema<DeliveryAttemptDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    eventId: { type: String, required: true },
    webhookId: { type: String, required: true },
    url: { type: String, required: true },
    commandId: { type: String, required: true },
    trigger: { type: String, required: true },
    requestedBy: { type: String, default: null },
    attemptNumber: { type: Number, required: true },
    startedAt: { type: Date, required: true },
    durationMs: { type: Number, required: true },
    success: { type: Boolean, required: true },
    statusCode: { type: Number, default: null },
    errorKind: { type: String, default: null },
    errorMessage: { type: String, default: null },
    responseBodyExcerpt: { type: String, default: null },
    scheduledFailures: { type: Number },
    deliveryStatus: { type: String },
    nextAttemptAt: { type: Date },
    fifo: { type: Boolean },
    disabledReason: { type: String },
    retryJobId: { type: String },
    createdAt: { type: Date, required: true },
  },
  { collection: 'delivery_attempts', versionKey: false },
);
// Serves: GET .../logs newest first (filters webhookId/success are applied within one event's attempts).
DeliveryAttemptSchema.index({ tenantId: 1, eventId: 1, startedAt: -1, _id: -1 });
// Serves: a webhook's success rate over the last hours, and the per-minute outcome chart.
DeliveryAttemptSchema.index({ tenantId: 1, webhookId: 1, startedAt: -1 });
// Serves: the retention purge's walk over attempts older than RETENTION_ATTEMPTS, oldest first.
DeliveryAttemptSchema.index({ createdAt: 1 });
