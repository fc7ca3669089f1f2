import { Schema } from 'mongoose';

export const EVENT_MODEL = 'Event';

/** Overall state of an event across its target webhooks. Wire values: never rename. */
export enum EventStatus {
  /** Accepted; no attempt finished yet. */
  Pending = 'pending',
  /** At least one target is still being delivered or waits for a retry. */
  Delivering = 'delivering',
  /** Every target received it (also: no target webhook). */
  Delivered = 'delivered',
  /** Some targets received it, the others failed for good. */
  PartiallyDelivered = 'partially_delivered',
  /** Every target failed for good. */
  Failed = 'failed',
}

export interface EventDocument {
  _id: string;
  tenantId: string;
  type: string;
  /**
   * The payload as the JSON text that is delivered. Kept as text so that any key a customer sends
   * (dots, `$` prefixes) is stored verbatim and delivery never re-serialises it.
   */
  payloadJson: string;
  /** Defaults to the event id, so the unique index below needs no partial filter. */
  idempotencyKey: string;
  status: EventStatus;
  webhookCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export const EventSchema = new Schema<EventDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    type: { type: String, required: true },
    payloadJson: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    status: { type: String, required: true, enum: Object.values(EventStatus) },
    webhookCount: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'events', versionKey: false },
);
// Serves: idempotent creation (POST /v1/webhooks/events with idempotencyKey).
EventSchema.index({ tenantId: 1, idempotencyKey: 1 }, { unique: true });
// Serves: GET /v1/webhooks/events newest first, and the from/to filters.
EventSchema.index({ tenantId: 1, createdAt: -1, _id: -1 });
// Serves: the list filtered by status (e.g. failed) and bulk retry by status.
EventSchema.index({ tenantId: 1, status: 1, createdAt: -1, _id: -1 });
// Serves: the list filtered by type and bulk retry by type.
EventSchema.index({ tenantId: 1, type: 1, createdAt: -1, _id: -1 });
