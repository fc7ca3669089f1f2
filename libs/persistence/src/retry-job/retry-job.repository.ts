import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { findOwnedById } from '../lookup-by-id';
import { TenantId } from '../tenant';
import { RETRY_JOB_MODEL, RetryJobDocument, RetryJobStatus } from './retry-job.schema';

/** Attempts of one bulk retry job that delivered or failed, to add to its counters. */
export interface RetryJobOutcome {
  tenantId: string;
  jobId: string;
  delivered: number;
  failed: number;
}

@Injectable()
export class RetryJobRepository {
  constructor(@InjectModel(RETRY_JOB_MODEL) private readonly jobs: Model<RetryJobDocument>) {}

  async insert(job: RetryJobDocument): Promise<void> {
    await this.jobs.collection.insertOne(job as never);
  }

  async findById(tenantId: TenantId, jobId: string): Promise<RetryJobDocument | null> {
    return findOwnedById(this.jobs, tenantId, jobId);
  }

  async update(
    tenantId: TenantId,
    jobId: string,
    changes: Partial<Pick<RetryJobDocument, 'status' | 'matched' | 'queued' | 'error'>>,
  ): Promise<void> {
    await this.jobs.updateOne({ _id: jobId, tenantId }, { $set: { ...changes, updatedAt: new Date() } });
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

  async markStatus(tenantId: TenantId, jobId: string, status: RetryJobStatus): Promise<void> {
    await this.update(tenantId, jobId, { status });
  }
}
