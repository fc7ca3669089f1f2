import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { OwnedByIdReader } from '../lookup-by-id';
import { afterCursor, CursorPosition, Page, toPage } from '../pagination/cursor';
import { TenantId } from '../tenant';
import { RETRY_JOB_MODEL, RetryJobDocument, RetryJobStatus, RUNNABLE_RETRY_JOB_STATUSES } from './retry-job.schema';

/** Attempts of one bulk retry job that delivered or failed, to add to its counters. */
export interface RetryJobOutcome {
  tenantId: string;
  jobId: string;
  delivered: number;
  failed: number;
}

/** What a page of the walk moves forward, together. */
export interface RetryJobProgress {
  cursor: CursorPosition;
  matched: number;
  queued: number;
}

/** A lease nobody holds: a queued job carries it, and a running job its owner let go of. */
export const NO_LEASE = new Date(0);

/**
 * The walk's writes are conditional on the lease (`owner` and status `running`): a runner that lost its
 * job (lease expired and taken, or the job cancelled) learns it from a write that matched nothing, and
 * never moves another runner's progress.
 */
@Injectable()
export class RetryJobRepository {
  private readonly byId: OwnedByIdReader<RetryJobDocument>;

  constructor(@InjectModel(RETRY_JOB_MODEL) private readonly jobs: Model<RetryJobDocument>) {
    this.byId = new OwnedByIdReader(jobs);
  }

  async insert(job: RetryJobDocument): Promise<void> {
    await this.jobs.collection.insertOne(job as never);
  }

  async findById(tenantId: TenantId, jobId: string): Promise<RetryJobDocument | null> {
    return this.byId.find(tenantId, jobId);
  }

  /** GET /v1/webhooks/retry-jobs: newest first, cursor-paginated. */
  async findPage(
    tenantId: TenantId,
    after: CursorPosition | undefined,
    limit: number,
  ): Promise<Page<RetryJobDocument>> {
    const rows = await this.jobs
      .find({ tenantId, ...afterCursor<RetryJobDocument>(after) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .lean<RetryJobDocument[]>()
      .exec();
    return toPage(rows, limit);
  }

  /**
   * Jobs a runner may take, oldest first: queued ones, and running ones whose owner stopped renewing;
   * `skip` leaves out tenants whose slots are full and jobs already looked at in this round.
   * Across tenants (the runners serve them all); each job's own tenantId scopes what its walk reads.
   * FerretDB scans retry_jobs for it (kept small by RETENTION_RETRY_JOBS), every third of a lease per API process.
   */
  async findRunnable(
    now: Date,
    limit: number,
    skip: { tenantIds: string[]; jobIds: string[] } = { tenantIds: [], jobIds: [] },
  ): Promise<RetryJobDocument[]> {
    return this.jobs
      .find({
        status: { $in: RUNNABLE_RETRY_JOB_STATUSES },
        leaseUntil: { $lt: now },
        ...(skip.tenantIds.length > 0 ? { tenantId: { $nin: skip.tenantIds } } : {}),
        ...(skip.jobIds.length > 0 ? { _id: { $nin: skip.jobIds } } : {}),
      })
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .lean<RetryJobDocument[]>()
      .exec();
  }

  /** Queued → running under `owner`, holding `slotId`; null when another runner started it or it was cancelled. */
  async start(jobId: string, slotId: string, owner: string, leaseUntil: Date): Promise<RetryJobDocument | null> {
    return this.jobs
      .findOneAndUpdate(
        { _id: jobId, status: RetryJobStatus.Queued },
        { $set: { status: RetryJobStatus.Running, slotId, owner, leaseUntil, updatedAt: new Date() } },
        { new: true },
      )
      .lean<RetryJobDocument>()
      .exec();
  }

  /** Takes over a running job whose lease expired; null when another runner was first. */
  async resume(jobId: string, owner: string, leaseUntil: Date, now: Date): Promise<RetryJobDocument | null> {
    return this.jobs
      .findOneAndUpdate(
        { _id: jobId, status: RetryJobStatus.Running, leaseUntil: { $lt: now } },
        { $set: { owner, leaseUntil } },
        { new: true },
      )
      .lean<RetryJobDocument>()
      .exec();
  }

  /** Resolves to false when the job is no longer this owner's to run. */
  async renewLease(jobId: string, owner: string, leaseUntil: Date): Promise<boolean> {
    const result = await this.jobs.updateOne(
      { _id: jobId, owner, status: RetryJobStatus.Running },
      { $set: { leaseUntil } },
    );
    return result.matchedCount === 1;
  }

  /** Saves a page's progress; false when the job is no longer this owner's to run. */
  async saveProgress(jobId: string, owner: string, progress: RetryJobProgress, leaseUntil: Date): Promise<boolean> {
    const result = await this.jobs.updateOne(
      { _id: jobId, owner, status: RetryJobStatus.Running },
      { $set: { ...progress, leaseUntil, updatedAt: new Date() } },
    );
    return result.matchedCount === 1;
  }

  /** Running → completed, by its owner only. */
  async complete(jobId: string, owner: string): Promise<boolean> {
    const result = await this.jobs.updateOne(
      { _id: jobId, owner, status: RetryJobStatus.Running },
      { $set: { status: RetryJobStatus.Completed, owner: null, leaseUntil: NO_LEASE, updatedAt: new Date() } },
    );
    return result.matchedCount === 1;
  }

  /** Gives a running job up (a graceful shutdown), so that any runner resumes it at once. */
  async release(jobId: string, owner: string): Promise<void> {
    await this.jobs.updateOne(
      { _id: jobId, owner, status: RetryJobStatus.Running },
      { $set: { owner: null, leaseUntil: NO_LEASE } },
    );
  }

  /**
   * Queued or running → cancelled; resolves to the cancelled job, or null when it was neither. (A `queued`
   * job without a lease is one of an earlier release that had queued all its events: it ended.)
   */
  async cancel(tenantId: TenantId, jobId: string): Promise<RetryJobDocument | null> {
    return this.jobs
      .findOneAndUpdate(
        {
          _id: jobId,
          tenantId,
          $or: [{ status: RetryJobStatus.Running }, { status: RetryJobStatus.Queued, leaseUntil: { $exists: true } }],
        },
        { $set: { status: RetryJobStatus.Cancelled, owner: null, leaseUntil: NO_LEASE, updatedAt: new Date() } },
        { new: true },
      )
      .lean<RetryJobDocument>()
      .exec();
  }

  /** The jobs holding these ids' slots, with their status only (stale-slot checks). */
  async findStatuses(jobIds: string[]): Promise<Pick<RetryJobDocument, '_id' | 'status'>[]> {
    return this.jobs
      .find({ _id: { $in: jobIds } }, { status: 1 })
      .lean<Pick<RetryJobDocument, '_id' | 'status'>[]>()
      .exec();
  }

  /** Counts finished attempts of bulk-retry commands; called by the dispatcher as it stores them, in batches. */
  async addOutcomes(outcomes: RetryJobOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.jobs.bulkWrite(
      outcomes.map(({ tenantId, jobId, delivered, failed }) => ({
        updateOne: { filter: { _id: jobId, tenantId }, update: { $inc: { delivered, failed } } },
      })),
      { ordered: false },
    );
  }
}
