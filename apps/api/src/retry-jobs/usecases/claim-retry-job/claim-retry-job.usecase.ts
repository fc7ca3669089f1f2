import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import {
  asTenantId,
  RetryJobDocument,
  RetryJobRepository,
  RetryJobSlotDocument,
  RetryJobSlotRepository,
  retryJobSlotIdOf,
  RetryJobStatus,
  TenantId,
} from '@app/persistence';

/**
 * Takes a runnable job for one runner (`owner`): resumes a running job whose lease expired (it keeps the
 * slot it holds), or starts a queued one in a free slot of its tenant, of which there are
 * BULK_RETRY_JOBS_PER_TENANT. Resolves to the job as now owned, or null when the tenant has no free slot
 * or another runner was first.
 */
@Injectable()
export class ClaimRetryJobUseCase {
  private readonly leaseMs: number;

  constructor(
    private readonly jobs: RetryJobRepository,
    private readonly slots: RetryJobSlotRepository,
    private readonly config: AppConfig,
  ) {
    this.leaseMs = config.durationMs('BULK_RETRY_LEASE');
  }

  async execute(job: RetryJobDocument, owner: string): Promise<RetryJobDocument | null> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    if (job.status === RetryJobStatus.Running) return this.jobs.resume(job._id, owner, leaseUntil, now);
    const slotId = await this.takeSlot(asTenantId(job.tenantId), job._id);
    if (!slotId) return null;
    const started = await this.jobs.start(job._id, slotId, owner, leaseUntil);
    if (!started) await this.slots.release(slotId, job._id);
    return started;
  }

  private async takeSlot(tenantId: TenantId, jobId: string): Promise<string | null> {
    const count = this.config.get('BULK_RETRY_JOBS_PER_TENANT');
    const held = await this.slots.findAll(tenantId, count);
    const stale = await this.staleOf(held);
    for (const slot of stale) await this.slots.release(slot._id, slot.jobId);
    const busy = new Set(held.filter((slot) => !stale.includes(slot)).map((slot) => slot._id));
    for (let slot = 0; slot < count; slot += 1) {
      if (busy.has(retryJobSlotIdOf(tenantId, slot))) continue;
      // An insert: of two runners taking the same slot, one gets a duplicate key and tries the next.
      if (await this.slots.take(tenantId, slot, jobId)) return retryJobSlotIdOf(tenantId, slot);
    }
    return null;
  }

  /**
   * Slots whose job does not run: it ended or is gone (a crash between its end and the slot's release),
   * or it is still queued a lease after the slot was taken for it (a crash before it started; younger
   * than that, its start may be under way).
   */
  private async staleOf(held: RetryJobSlotDocument[]): Promise<RetryJobSlotDocument[]> {
    if (held.length === 0) return [];
    const jobs = await this.jobs.findStatuses(held.map((slot) => slot.jobId));
    const statusOf = new Map(jobs.map((job) => [job._id, job.status]));
    const startedBefore = Date.now() - this.leaseMs;
    return held.filter((slot) => {
      const status = statusOf.get(slot.jobId);
      if (status === RetryJobStatus.Running) return false;
      if (status === RetryJobStatus.Queued) return new Date(slot.createdAt).getTime() < startedBefore;
      return true;
    });
  }
}
