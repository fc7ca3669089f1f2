import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AgedCollection,
  DeliveryActivity,
  ExpiredEvent,
  OPEN_DELIVERY_STATUSES,
  RetainedCollection,
  RetentionRepository,
} from '@app/persistence';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { RetentionPolicy } from './retention-policy';

export interface PurgeExpiredCommand {
  now: Date;
  /** Ends the pass after the round under way (shutdown). */
  signal?: AbortSignal;
}

export type PurgeCounts = Record<RetainedCollection, number>;

/** One round of one collection; true when it was full, so more may be left. */
type Round = () => Promise<boolean>;

/**
 * Whether a delivery keeps its expired event: while it may still be attempted (open, or a retry is
 * scheduled), unless it has shown no activity since the cutoff. Such a one is abandoned (a stranded row
 * the sweep keeps sending again, a held FIFO row whose queue never moved) and must not keep it forever.
 */
export function keepsEvent(delivery: DeliveryActivity, cutoff: Date): boolean {
  const mayBeAttempted = OPEN_DELIVERY_STATUSES.includes(delivery.status) || delivery.nextAttemptAt !== null;
  if (!mayBeAttempted) return false;
  const lastActivity = Math.max(
    delivery.createdAt.getTime(),
    delivery.lastAttemptAt?.getTime() ?? 0,
    delivery.nextAttemptAt?.getTime() ?? 0,
  );
  return lastActivity >= cutoff.getTime();
}

/**
 * One retention pass: deletes what is older than its collection's retention, in bounded rounds with a
 * pause between full ones. Each collection moves one round at a time, so a backlog in one holds up none of
 * the others. Several dispatchers may run passes at once: they delete by id, so the worst is wasted reads.
 */
@Injectable()
export class PurgeExpiredUseCase {
  constructor(
    private readonly retention: RetentionRepository,
    private readonly metrics: DispatcherMetrics,
    private readonly policy: RetentionPolicy,
  ) {}

  async execute({ now, signal }: PurgeExpiredCommand): Promise<PurgeCounts> {
    const counts = Object.fromEntries(Object.values(RetainedCollection).map((name) => [name, 0])) as PurgeCounts;
    const record = (collection: RetainedCollection, deleted: number): void => {
      counts[collection] += deleted;
      if (deleted > 0) this.metrics.retentionDeleted.inc({ collection }, deleted);
    };
    const aged: [AgedCollection, number][] = [
      [RetainedCollection.Attempts, this.policy.attemptsMs],
      [RetainedCollection.RetryJobs, this.policy.retryJobsMs],
      [RetainedCollection.Tasks, this.policy.tasksMs],
      [RetainedCollection.RateLimitWindows, this.policy.rateLimitWindowsMs],
    ];
    let rounds: Round[] = [
      ...(this.policy.eventsMs > 0 ? [this.eventRound(cutoffOf(now, this.policy.eventsMs), record)] : []),
      ...aged
        .filter(([, ageMs]) => ageMs > 0)
        .map(([collection, ageMs]) => this.agedRound(collection, cutoffOf(now, ageMs), now, record)),
    ];
    while (rounds.length > 0 && !signal?.aborted) {
      const full: Round[] = [];
      // One after the other, not in parallel: the purge's load on the database stays one query at a time.
      for (const round of rounds) if (await round()) full.push(round);
      rounds = full;
      if (rounds.length > 0) await sleep(this.policy.roundPauseMs, undefined, { signal }).catch(() => undefined);
    }
    return counts;
  }

  /**
   * Walks expired events oldest first. Those kept by a delivery are stepped over (the walk goes on after
   * the last event it read), so a few long-running ones never stop the purge of those behind them.
   */
  private eventRound(cutoff: Date, record: (collection: RetainedCollection, deleted: number) => void): Round {
    let after: ExpiredEvent | null = null;
    return async () => {
      const candidates = await this.retention.findEventsCreatedBefore(cutoff, after, this.policy.roundSize);
      if (candidates.length === 0) return false;
      after = candidates[candidates.length - 1];
      const deliveries = await this.retention.findDeliveriesOf(candidates);
      const kept = new Set(deliveries.filter((delivery) => keepsEvent(delivery, cutoff)).map(({ eventId }) => eventId));
      const expired = candidates.filter(({ _id }) => !kept.has(_id));
      if (expired.length > 0) {
        // Deliveries before their event, so a crash in between leaves no delivery without one; and again
        // after it, for a row a manual retry planned in the meantime (the stranded sweep would resend it forever).
        let deliveriesDeleted = await this.retention.deleteDeliveriesOf(expired);
        record(RetainedCollection.Events, await this.retention.deleteEvents(expired.map(({ _id }) => _id)));
        deliveriesDeleted += await this.retention.deleteDeliveriesOf(expired);
        record(RetainedCollection.Deliveries, deliveriesDeleted);
      }
      return candidates.length === this.policy.roundSize;
    };
  }

  private agedRound(
    collection: AgedCollection,
    cutoff: Date,
    now: Date,
    record: (collection: RetainedCollection, deleted: number) => void,
  ): Round {
    return async () => {
      const ids = await this.retention.findCreatedBefore(collection, cutoff, now, this.policy.roundSize);
      record(collection, await this.retention.deleteByIds(collection, ids, now));
      return ids.length === this.policy.roundSize;
    };
  }
}

const cutoffOf = (now: Date, ageMs: number): Date => new Date(now.getTime() - ageMs);
