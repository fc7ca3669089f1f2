import { Schema } from 'mongoose';

export const RETRY_JOB_MODEL = 'RetryJob';

export enum RetryJobStatus {
  Running = 'running',
  Queued = 'queued',
  Failed = 'failed',
}

export interface RetryJobFilter {
  webhookId?: string;
  status?: string;
  type?: string;
  from?: Date;
  to?: Date;
}

/** A bulk retry: which events it matched and how their deliveries went. */
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
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'retry_jobs', versionKey: false, minimize: false },
);
// Serves: GET /v1/webhooks/retry-jobs/{jobId} is by _id (+ tenant); this one lists a tenant's jobs.
RetryJobSchema.index({ tenantId: 1, createdAt: -1 });
// Serves: the retention purge's walk over jobs older than RETENTION_RETRY_JOBS, oldest first.
RetryJobSchema.index({ createdAt: 1 });
