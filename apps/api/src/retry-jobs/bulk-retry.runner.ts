import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { RetryJobDocument, RetryJobRepository, RetryJobStatus } from '@app/persistence';
import { ClaimRetryJobUseCase } from './usecases/claim-retry-job/claim-retry-job.usecase';
import { RunBulkRetryUseCase } from './usecases/run-bulk-retry/run-bulk-retry.usecase';

/** Runnable jobs read per query, and queries per round; what is left waits for the next round. */
const ROUND_SIZE = 50;
const BATCHES_PER_ROUND = 10;

/**
 * Runs bulk retry jobs in the background of every API process. A job is held under a lease in MongoDB,
 * renewed every third of BULK_RETRY_LEASE while it runs; every process looks as often for jobs to take:
 * queued ones its tenant has a free slot for, and running ones whose owner stopped renewing (it died), which
 * resume from their saved cursor. On shutdown a running job stops at its next page and is handed back
 * at once (before the Kafka producer closes, hence beforeApplicationShutdown).
 */
@Injectable()
export class BulkRetryRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BulkRetryRunner.name);
  /** Who holds a lease: unique per process start. */
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Promise<void>>();
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly claim: ClaimRetryJobUseCase,
    private readonly runBulkRetry: RunBulkRetryUseCase,
    private readonly jobs: RetryJobRepository,
    config: AppConfig,
  ) {
    this.intervalMs = Math.max(Math.floor(config.durationMs('BULK_RETRY_LEASE') / 3), 100);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.lookForJobs(), this.intervalMs);
    this.lookForJobs();
  }

  /** Starts a job just accepted when its tenant has a free slot; resolves to whether it runs now. */
  async startNow(job: RetryJobDocument): Promise<boolean> {
    const claimed = await this.claim.execute(job, this.owner);
    if (claimed) this.launch(claimed);
    return claimed !== null;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.round;
    await Promise.allSettled([...this.running.values()]);
  }

  private lookForJobs(): void {
    if (this.stopping || this.round) return;
    this.round = this.takeRunnable()
      .catch((error: Error) => this.logger.warn({ err: error }, 'Looking for bulk retry jobs to run failed'))
      .finally(() => (this.round = undefined));
  }

  /**
   * Batch after batch, oldest first, leaving out tenants found full in this round: a tenant with many jobs
   * waiting does not hide other tenants' jobs (or jobs to resume) behind it.
   */
  private async takeRunnable(): Promise<void> {
    const full = new Set<string>();
    const seen = new Set<string>();
    for (let batch = 0; batch < BATCHES_PER_ROUND; batch += 1) {
      const runnable = await this.jobs.findRunnable(new Date(), ROUND_SIZE, {
        tenantIds: [...full],
        jobIds: [...seen],
      });
      for (const job of runnable) {
        if (this.stopping) return;
        seen.add(job._id);
        const queued = job.status === RetryJobStatus.Queued;
        if (this.running.has(job._id) || (queued && full.has(job.tenantId))) continue;
        const claimed = await this.claim.execute(job, this.owner);
        if (claimed) this.launch(claimed);
        // Not started: its tenant's slots are busy (or another runner was first); its later jobs wait too.
        // A job being resumed keeps the slot it holds, so it never waits for one.
        else if (queued) full.add(job.tenantId);
      }
      if (runnable.length < ROUND_SIZE) return;
    }
  }

  private launch(job: RetryJobDocument): void {
    const run = this.run(job).finally(() => {
      this.running.delete(job._id);
      // Its slot may be free now for the tenant's next job.
      this.lookForJobs();
    });
    this.running.set(job._id, run);
  }

  private async run(job: RetryJobDocument): Promise<void> {
    const log = { jobId: job._id, tenantId: job.tenantId };
    let lost = false;
    // The job document's writes, one after another: renewals, saved pages, the completion.
    let lastWrite: Promise<unknown> = Promise.resolve();
    const inTurn = <T>(write: () => Promise<T>): Promise<T> => {
      const next = lastWrite.then(write, write);
      lastWrite = next.catch(() => undefined);
      return next;
    };
    const renewal = setInterval(() => {
      const leaseUntil = new Date(Date.now() + this.intervalMs * 3);
      inTurn(() => this.jobs.renewLease(job._id, this.owner, leaseUntil)).then(
        (held) => (lost ||= !held),
        (error: Error) => this.logger.warn({ ...log, err: error }, 'Renewing a bulk retry lease failed'),
      );
    }, this.intervalMs);
    try {
      const outcome = await this.runBulkRetry.execute(job, this.owner, () => this.stopping || lost, inTurn);
      if (outcome === 'interrupted' && !lost) await this.jobs.release(job._id, this.owner);
      this.logger.log({ ...log, outcome, resumed: job.cursor != null }, 'Bulk retry run ended');
    } catch (error) {
      // Kafka or MongoDB away: the lease, no longer renewed, expires, and a runner then resumes the job.
      this.logger.warn({ ...log, err: error }, 'Bulk retry run stopped; the job resumes once its lease expires');
    } finally {
      clearInterval(renewal);
    }
  }
}
