import { Schema } from 'mongoose';
import { CursorPosition } from '../pagination/cursor';

export const RETRY_JOB_MODEL = 'RetryJob';

/** Wire values: clients poll for them. */
export enum RetryJobStatus {
  /** Waiting for one of its tenant's BULK_RETRY_JOBS_PER_TENANT slots. */
  Queued = 'queued',
  /** An API process is walking the matching events and publishing their commands. */
  Running = 'running',
  /** Every matching event was queued. */
  Completed = 'completed',
  Cancelled = 'cancelled',
  /** Stopped early (jobs of earlier releases that a shutdown interrupted); see `error`. */
  Failed = 'failed',
}

/** Statuses a runner may take a job in (queued: to start it; running: to resume it once its lease expired). */
export const RUNNABLE_RETRY_JOB_STATUSES = [RetryJobStatus.Queued, RetryJobStatus.Running];

export interface RetryJobFilter {
  webhookId?: string;
  status?: string;
  type?: string;
  from?: Date;
  to?: Date;
}

/**
 * A bulk retry: which events it matched, how far its walk got, and how their deliveries went. The walk
 * is resumable: `cursor` is the last event whose command Kafka acknowledged, saved together with the
 * counters by the lease's owner only.
 */
export interface RetryJobDocument {
  _id: string;
  tenantId: string;
  requestedBy: string;
  filter: RetryJobFilter;
  status: RetryJobStatus;
  matched: number;
  queued: number;
  delivered: number;
  failed: number;
  error: string | null;
  /**
   * The process that runs the job and until when (renewed while it works). Jobs of releases before
   * leases have none: never runnable, so never walked twice.
   */
  owner?: string | null;
  leaseUntil?: Date;
  /** The tenant slot (RetryJobSlotDocument id) the job holds while running. */
  slotId?: string | null;
  /** Position in the walk (createdAt desc, _id desc) after the last event queued; null before the first page. */
  cursor?: CursorPosition | null;
  createdAt: Date;
  updatedAt: Date;
}

export const RetryJobSchema = new Schema<RetryJobDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    requestedBy: { type: String, required: true },
    filter: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, required: true, enum: Object.values(RetryJobStatus) },
    matched: { type: Number, default: 0 },
    queued: { type: Number, default: 0 },
    delivered: { type: Number, default: 0 },
    failed: { type: Number, default: 0 },
    error: { type: String, default: null },
    owner: { type: String, default: null },
    leaseUntil: { type: Date },
    slotId: { type: String, default: null },
    cursor: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'retry_jobs', versionKey: false, minimize: false },
);
// Serves: GET /v1/webhooks/retry-jobs, a tenant's jobs newest first (by _id + tenant for one job).
RetryJobSchema.index({ tenantId: 1, createdAt: -1 });
// Serves: the retention purge's walk over jobs older than RETENTION_RETRY_JOBS, oldest first.
RetryJobSchema.index({ createdAt: 1 });
// Serves: the runners' look for runnable jobs (queued, or running with an expired lease), oldest first.
RetryJobSchema.index({ status: 1, createdAt: 1 });
