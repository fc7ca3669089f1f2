import { Schema } from 'mongoose';
import { DeliveryErrorKind, DeliveryStatus } from '@app/contracts';

export const DELIVERY_MODEL = 'Delivery';

/** State of delivering one event to one webhook; the rows behind GET .../status. */
export interface DeliveryDocument {
  /** "<eventId>:<webhookId>" */
  _id: string;
  tenantId: string;
  eventId: string;
  webhookId: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  /** Failed attempts counted by the automatic schedule (manual attempts do not move it). */
  scheduledFailures: number;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastErrorKind: DeliveryErrorKind | null;
  /** When the next automatic attempt is due; null when none is. */
  nextAttemptAt: Date | null;
  /**
   * FIFO webhooks only: the id of the earlier event whose delivery to the same webhook this one waits
   * for. Set when the dispatcher holds it back, cleared by its next attempt.
   */
  heldBy: string | null;
  /** The latest attempts the log writer has counted in `attempts`, so a replayed log is not counted twice. */
  countedAttemptIds?: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const deliveryIdOf = (eventId: string, webhookId: string): string => `${eventId}:${webhookId}`;

/** A delivery row as first planned: pending, never attempted. */
export function pendingDeliveryRow(
  target: Pick<DeliveryDocument, 'tenantId' | 'eventId' | 'webhookId' | 'url'>,
  now: Date,
): DeliveryDocument {
  return {
    _id: deliveryIdOf(target.eventId, target.webhookId),
    tenantId: target.tenantId,
    eventId: target.eventId,
    webhookId: target.webhookId,
    url: target.url,
    status: DeliveryStatus.Pending,
    attempts: 0,
    scheduledFailures: 0,
    lastAttemptAt: null,
    lastStatusCode: null,
    lastErrorKind: null,
    nextAttemptAt: null,
    heldBy: null,
    createdAt: now,
    updatedAt: now,
  };
}

export const DeliverySchema = new Schema<DeliveryDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    eventId: { type: String, required: true },
    webhookId: { type: String, required: true },
    url: { type: String, required: true },
    status: { type: String, required: true, enum: Object.values(DeliveryStatus) },
    attempts: { type: Number, default: 0 },
    scheduledFailures: { type: Number, default: 0 },
    lastAttemptAt: { type: Date, default: null },
    lastStatusCode: { type: Number, default: null },
    lastErrorKind: { type: String, default: null },
    nextAttemptAt: { type: Date, default: null },
    heldBy: { type: String, default: null },
    countedAttemptIds: { type: [String], default: undefined },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'deliveries', versionKey: false },
);
// Serves: GET .../status, the event status roll-up and the retention purge (all deliveries of some events).
DeliverySchema.index({ tenantId: 1, eventId: 1 });
// Serves: the retry scheduler's "what is due now" scan, and its "when is the next one due" peek.
DeliverySchema.index({ nextAttemptAt: 1 });
// Serves: bulk retry filtered by webhook, and FIFO mode's "is an older delivery still open" check.
DeliverySchema.index({ tenantId: 1, webhookId: 1, status: 1, createdAt: 1 });
// Serves: the scheduler's sweep for deliveries whose command seems lost (pending or retrying, idle for long).
DeliverySchema.index({ status: 1, updatedAt: 1 });
// Serves: the FIFO sweep for held deliveries (heldBy is null on almost every row).
DeliverySchema.index({ heldBy: 1 });

/** States in which a delivery may still be attempted automatically; in FIFO mode they hold back newer ones. */
export const OPEN_DELIVERY_STATUSES = [DeliveryStatus.Pending, DeliveryStatus.Retrying];
