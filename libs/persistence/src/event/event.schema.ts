import { Schema } from 'mongoose';
import { DeliveryStatus } from '@app/contracts';

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

/** One target webhook's delivery state, as the event's roll-up last saw it. */
export interface EventTarget {
  webhookId: string;
  status: DeliveryStatus;
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
  /**
   * The state of each delivery, kept by the log writer so that rolling up `status` reads this document
   * and not every delivery row of the event. Written at creation (all pending); a webhook targeted later
   * (a retry to a new subscriber) joins with its first attempt. Absent on events stored before it existed.
   */
  targets?: EventTarget[];
  createdAt: Date;
  updatedAt: Date;
}

/**
 * An event as first stored: pending to each target webhook with its own delivery row, or delivered at
 * once when no webhook is subscribed. The idempotency key defaults to the event id.
 */
export function pendingEvent(
  event: Pick<EventDocument, '_id' | 'tenantId' | 'type' | 'payloadJson'> & { idempotencyKey?: string },
  webhookIds: string[],
  now: Date,
): EventDocument {
  return {
    ...event,
    idempotencyKey: event.idempotencyKey ?? event._id,
    status: webhookIds.length > 0 ? EventStatus.Pending : EventStatus.Delivered,
    webhookCount: webhookIds.length,
    targets: webhookIds.map((webhookId) => ({ webhookId, status: DeliveryStatus.Pending })),
    createdAt: now,
    updatedAt: now,
  };
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
    targets: {
      type: [
        new Schema<EventTarget>(
          {
            webhookId: { type: String, required: true },
            status: { type: String, required: true, enum: Object.values(DeliveryStatus) },
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
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
// Serves: the retention purge's walk over events older than RETENTION_EVENTS, oldest first, resumable by _id.
EventSchema.index({ createdAt: 1, _id: 1 });
