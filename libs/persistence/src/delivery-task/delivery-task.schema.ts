import { Schema } from 'mongoose';

export const DELIVERY_TASK_MODEL = 'DeliveryTask';

export enum DeliveryTaskState {
  InFlight = 'in_flight',
  Completed = 'completed',
}

/**
 * A claim, today on one step of a FIFO delivery (fifoStepTaskIdOf); claims per (command, webhook) pair
 * gave way to partition leases (PartitionLeaseDocument) and attempt ids derived from the command. The
 * claim is done once the attempt its holder made is stored (DeliveryAttemptDocument, keyed by
 * `attemptId`). Purged by age (apps/dispatcher/src/retention).
 */
export interface DeliveryTaskDocument {
  /** "fifo-step:<deliveryId>:<step>"; "<commandId>:<webhookId>" in claims of earlier releases */
  _id: string;
  state: DeliveryTaskState;
  owner: string;
  leaseUntil: Date;
  attemptId: string;
  createdAt: Date;
  completedAt: Date | null;
  /**
   * Claims completed by earlier releases kept their attempt's delivery-log event (JSON) here, an outbox
   * the stored attempt now serves; read only to publish such an event again.
   */
  logJson: string | null;
}

/**
 * FIFO webhooks: a claim on one step of a delivery's automatic schedule (its `scheduledFailures` when
 * the attempt starts). Every command that could make that attempt (the original one, a retry, a
 * release from the queue) takes it as well, so only one of them sends.
 */
export const fifoStepTaskIdOf = (deliveryId: string, step: number): string => `fifo-step:${deliveryId}:${step}`;

export const DeliveryTaskSchema = new Schema<DeliveryTaskDocument>(
  {
    _id: { type: String, required: true },
    state: { type: String, required: true, enum: Object.values(DeliveryTaskState) },
    owner: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
    attemptId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    completedAt: { type: Date, default: null },
    logJson: { type: String, default: null },
  },
  { collection: 'delivery_tasks', versionKey: false },
);
// Serves: the retention purge's walk over tasks older than TASK_RETENTION_MS, oldest first.
DeliveryTaskSchema.index({ createdAt: 1 });
