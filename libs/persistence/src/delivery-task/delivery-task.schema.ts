import { Schema } from 'mongoose';

export const DELIVERY_TASK_MODEL = 'DeliveryTask';

export enum DeliveryTaskState {
  InFlight = 'in_flight',
  Completed = 'completed',
}

/**
 * Claim on one (command, webhook) pair. It is what keeps two dispatchers from sending the same delivery
 * at once, and a redelivered Kafka message from sending it twice: the claim is done once the attempt its
 * holder made is stored (DeliveryAttemptDocument, keyed by `attemptId`), so a finished delivery costs the
 * claim one insert and no update. Purged by age (apps/dispatcher/src/retention).
 */
export interface DeliveryTaskDocument {
  /** "<commandId>:<webhookId>" */
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

export const deliveryTaskIdOf = (commandId: string, webhookId: string): string => `${commandId}:${webhookId}`;

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
