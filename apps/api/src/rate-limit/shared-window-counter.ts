import { Logger } from '@nestjs/common';
import { RateLimitIncrement, RateLimitWindowRepository, rateLimitWindowId } from '@app/persistence';
import { hitsInSlidingWindow, msUntilUnder, WindowCounts, wholeSeconds } from './sliding-window';

/** Every limit counts per minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;
/** A process with this many hits not yet shared syncs at once instead of waiting for the interval. */
export const SYNC_AFTER_HITS = 100;
/** How often, at most, limits idle for two windows are forgotten. */
const SWEEP_INTERVAL_MS = 60_000;
/** A failing sync is logged at most this often (it is retried at every interval). */
const SYNC_FAILURE_LOG_INTERVAL_MS = 30_000;

/** Whether one hit is let through, with what the RateLimit-* and Retry-After headers carry. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends (allowed), or until a retry may succeed (refused). */
  resetSeconds: number;
}

interface LimitState extends WindowCounts {
  scope: string;
  key: string;
  /** Whether the previous window's total has been read since this process moved past it. */
  previousRead: boolean;
}

/**
 * Rate-limit counters shared by every API process through MongoDB, without a database round trip per
 * request. Each hit is decided on what this process knows: every process's hits as of its last sync, plus
 * its own since. Its own hits are sent in batches, every `syncIntervalMs` (or SYNC_AFTER_HITS), by one
 * `$inc` upsert per window in a single bulk write, and each window's total over all processes is read back
 * by id in one query. So a limit holds across processes to within what the others let through in one
 * interval. While MongoDB is unavailable each process goes on limiting by what it knows, and sends its
 * hits once it can.
 */
export class SharedWindowCounter {
  private readonly logger = new Logger(SharedWindowCounter.name);
  private readonly states = new Map<string, LimitState>();
  private pending = new Map<string, RateLimitIncrement & { stateId: string }>();
  private pendingHits = 0;
  private syncing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextSweepAt: number;
  private lastFailureLoggedAt = -Infinity;
  private stopped = false;

  constructor(
    private readonly windows: RateLimitWindowRepository,
    private readonly syncIntervalMs: number,
    private readonly windowMs = RATE_LIMIT_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.nextSweepAt = now() + SWEEP_INTERVAL_MS;
  }

  /** Counts a hit on `key` unless that would exceed `limit` per window; a refused hit is not counted. */
  hit(scope: string, key: string, limit: number): RateLimitDecision {
    const now = this.now();
    if (now >= this.nextSweepAt) this.sweep(now);
    const state = this.stateOf(scope, key, now);
    const inWindow = hitsInSlidingWindow(state, now, this.windowMs);
    if (inWindow >= limit) {
      const resetSeconds = wholeSeconds(msUntilUnder(limit, state, now, this.windowMs));
      return { allowed: false, limit, remaining: 0, resetSeconds };
    }
    state.current += 1;
    this.addPending(state);
    const resetSeconds = wholeSeconds(state.windowStart + this.windowMs - now);
    return { allowed: true, limit, remaining: limit - inWindow - 1, resetSeconds };
  }

  /**
   * Sends the hits counted since the last sync and reads back the totals of their windows (and of the
   * window before, once after this process moved past it). One sync at a time; a failed one keeps its hits.
   */
  sync(): Promise<void> {
    this.syncing ??= this.syncPending().then((shared) => {
      this.syncing = undefined;
      // After a failure, the next attempt waits for the interval whatever the number of hits.
      if (shared && this.pendingHits >= SYNC_AFTER_HITS) void this.sync();
      else if (this.pendingHits > 0) this.schedule();
    });
    return this.syncing;
  }

  /** Shares what is left and stops the timer (at shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.syncing;
    await this.syncPending();
  }

  /** Limits counted right now (for the spec). */
  get size(): number {
    return this.states.size;
  }

  /** False when the database refused: the hits are kept for the next sync. */
  private async syncPending(): Promise<boolean> {
    if (this.pending.size === 0) return true;
    const batch = this.pending;
    this.pending = new Map();
    this.pendingHits = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    const reads = new Map<string, { state: LimitState; windowStart: number }>();
    for (const [id, increment] of batch) {
      const state = this.states.get(increment.stateId);
      if (!state) continue;
      reads.set(id, { state, windowStart: increment.windowStart });
      if (!state.previousRead) {
        const previousStart = state.windowStart - this.windowMs;
        reads.set(rateLimitWindowId(state.scope, previousStart, state.key), { state, windowStart: previousStart });
      }
    }
    try {
      await this.windows.add(
        [...batch.values()].map(({ stateId: _, ...increment }) => increment),
        new Date(this.now()),
      );
      const totals = new Map((await this.windows.totals([...reads.keys()])).map(({ id, hits }) => [id, hits]));
      for (const [id, { state, windowStart }] of reads) this.learn(state, windowStart, totals.get(id) ?? 0, id);
      return true;
    } catch (error) {
      this.keepForNextSync(batch);
      const now = this.now();
      if (now - this.lastFailureLoggedAt >= SYNC_FAILURE_LOG_INTERVAL_MS) {
        this.lastFailureLoggedAt = now;
        this.logger.warn(
          `Sharing rate-limit counts failed; limiting on this process's counts: ${(error as Error).message}`,
        );
      }
      return false;
    }
  }

  /** Takes a window's total over all processes, plus this process's hits not yet in it. */
  private learn(state: LimitState, windowStart: number, total: number, id: string): void {
    if (windowStart === state.windowStart) {
      state.current = Math.max(state.current, total + (this.pending.get(id)?.hits ?? 0));
    } else if (windowStart === state.windowStart - this.windowMs) {
      state.previous = Math.max(state.previous, total);
      state.previousRead = true;
    }
  }

  /** A failed batch goes back to pending, except windows too old to matter any more. */
  private keepForNextSync(batch: Map<string, RateLimitIncrement & { stateId: string }>): void {
    const oldest = this.now() - 2 * this.windowMs;
    for (const [id, increment] of batch) {
      if (increment.windowStart < oldest) continue;
      const pending = this.pending.get(id);
      if (pending) pending.hits += increment.hits;
      else this.pending.set(id, increment);
      this.pendingHits += increment.hits;
    }
  }

  private addPending(state: LimitState): void {
    const id = rateLimitWindowId(state.scope, state.windowStart, state.key);
    const pending = this.pending.get(id);
    if (pending) pending.hits += 1;
    else {
      const { scope, key, windowStart } = state;
      this.pending.set(id, { scope, key, windowStart, hits: 1, stateId: stateIdOf(scope, key) });
    }
    this.pendingHits += 1;
    if (this.pendingHits >= SYNC_AFTER_HITS) void this.sync();
    else this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.syncing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync();
    }, this.syncIntervalMs);
    this.timer.unref();
  }

  private stateOf(scope: string, key: string, now: number): LimitState {
    const windowStart = now - (now % this.windowMs);
    const id = stateIdOf(scope, key);
    let state = this.states.get(id);
    if (!state) {
      state = { scope, key, windowStart, current: 0, previous: 0, previousRead: false };
      this.states.set(id, state);
    } else if (state.windowStart < windowStart) {
      const windowsPassed = (windowStart - state.windowStart) / this.windowMs;
      Object.assign(state, {
        previous: windowsPassed === 1 ? state.current : 0,
        current: 0,
        windowStart,
        previousRead: false,
      });
    }
    return state;
  }

  private sweep(now: number): void {
    this.nextSweepAt = now + SWEEP_INTERVAL_MS;
    for (const [id, state] of this.states) {
      if (state.windowStart + 2 * this.windowMs <= now) this.states.delete(id);
    }
  }
}

function stateIdOf(scope: string, key: string): string {
  return `${scope}:${key}`;
}
