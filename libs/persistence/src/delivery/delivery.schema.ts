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
  /** A scheduler that is publishing the due retry holds this lease, so two dispatchers don't both publish it. */
  scheduleLeaseUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const deliveryIdOf = (eventId: string, webhookId: string): string => `${eventId}:${webhookId}`;

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
    scheduleLeaseUntil: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'deliveries', versionKey: false },
);
// Serves: GET .../status and the event status roll-up (all deliveries of one event).
DeliverySchema.index({ tenantId: 1, eventId: 1 });
// Serves: the retry scheduler's "what is due now" scan, and its "when is the next one due" peek.
DeliverySchema.index({ nextAttemptAt: 1 });
// Serves: bulk retry filtered by webhook, and FIFO mode's "is an older delivery still open" check.
DeliverySchema.index({ tenantId: 1, webhookId: 1, status: 1, createdAt: 1 });
