import { Schema } from 'mongoose';

export const RETRY_JOB_SLOT_MODEL = 'RetryJobSlot';

/**
 * One of a tenant's BULK_RETRY_JOBS_PER_TENANT places for a running job. Taking one is an insert, so the
 * `_id` index makes two runners unable to fill the same place on every engine (no transactions or
 * partial unique indexes needed). A slot whose job is no longer running is stale and may be taken over.
 */
export interface RetryJobSlotDocument {
  /** "<slot number>:<tenantId>" */
  _id: string;
  tenantId: string;
  jobId: string;
  createdAt: Date;
}

export const retryJobSlotIdOf = (tenantId: string, slot: number): string => `${slot}:${tenantId}`;

export const RetryJobSlotSchema = new Schema<RetryJobSlotDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    jobId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'retry_job_slots', versionKey: false },
);
