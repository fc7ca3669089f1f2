import { TokenBucket } from './token-bucket';

/** Idle buckets are forgotten this often, so webhooks seen once do not stay in memory. */
const PRUNE_INTERVAL_MS = 60_000;

interface EndpointState {
  bucket: TokenBucket;
  /** The webhook's limit as last read, so a change applies from the next delivery. */
  rateLimit: number;
  waiting: (() => void)[];
  timer?: NodeJS.Timeout;
}

/**
 * Per webhook with a rateLimit, this process's share of it as a token bucket; deliveries over it wait
 * in the webhook's own queue, in arrival order, and other webhooks are not held up. `shareOf` turns a
 * webhook's rateLimit into this process's part of it (RateShare).
 */
export class EndpointRateLimiter {
  private readonly endpoints = new Map<string, EndpointState>();
  private waitingTotal = 0;
  private prunedAt: number;

  constructor(
    private readonly shareOf: (rateLimit: number) => number,
    private readonly now: () => number = Date.now,
  ) {
    this.prunedAt = now();
  }

  /**
   * Nothing when the delivery may go now (always, for a webhook without a limit); otherwise a promise
   * that resolves when it may. Waiting costs no attempt and holds no claim.
   */
  acquire(endpoint: string, rateLimit: number | null | undefined): Promise<void> | undefined {
    if (!rateLimit) return undefined;
    const now = this.now();
    this.pruneIdle(now);
    let state = this.endpoints.get(endpoint);
    if (!state) {
      state = { bucket: new TokenBucket(this.shareOf(rateLimit), now), rateLimit, waiting: [] };
      this.endpoints.set(endpoint, state);
    }
    if (state.rateLimit !== rateLimit) {
      // An edited limit applies to those already waiting too, not only after the next token.
      state.rateLimit = rateLimit;
      if (state.timer) {
        clearTimeout(state.timer);
        this.drain(endpoint, state);
      }
    }
    if (state.waiting.length === 0 && state.bucket.take(this.shareOf(rateLimit), now) === 0) return undefined;
    const turn = new Promise<void>((resolve) => state.waiting.push(resolve));
    this.waitingTotal += 1;
    if (!state.timer) this.drain(endpoint, state);
    return turn;
  }

  /** Shutdown: every waiting delivery is let go at once (to be abandoned by its caller, not sent). */
  releaseAll(): void {
    for (const state of this.endpoints.values()) {
      clearTimeout(state.timer);
      state.timer = undefined;
      this.let(state, state.waiting.length);
    }
  }

  /** Deliveries waiting for their webhook's rate, all webhooks together. */
  get waitingEverywhere(): number {
    return this.waitingTotal;
  }

  private drain(endpoint: string, state: EndpointState): void {
    state.timer = undefined;
    while (state.waiting.length > 0) {
      const waitMs = state.bucket.take(this.shareOf(state.rateLimit), this.now());
      if (waitMs > 0) {
        state.timer = setTimeout(() => this.drain(endpoint, state), waitMs);
        return;
      }
      this.let(state, 1);
    }
  }

  private let(state: EndpointState, count: number): void {
    for (const resolve of state.waiting.splice(0, count)) {
      this.waitingTotal -= 1;
      resolve();
    }
  }

  private pruneIdle(now: number): void {
    if (now - this.prunedAt < PRUNE_INTERVAL_MS) return;
    this.prunedAt = now;
    for (const [endpoint, state] of this.endpoints) {
      if (state.waiting.length === 0 && !state.timer && state.bucket.isFull(this.shareOf(state.rateLimit), now)) {
        this.endpoints.delete(endpoint);
      }
    }
  }
}
