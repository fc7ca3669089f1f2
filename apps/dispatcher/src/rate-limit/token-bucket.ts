/**
 * The burst a bucket allows, in seconds of its rate (at least one token): small, so that across
 * dispatchers no 1 s window holds much more than the rate, yet at high rates a timer tick releases a few.
 */
export const BURST_SECONDS = 0.1;

/**
 * A token bucket whose rate may change between calls (a dispatcher's share moves as dispatchers come and
 * go). It starts full; `take` either takes a token or says how long until one is due.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(ratePerSecond: number, now: number) {
    this.tokens = capacityOf(ratePerSecond);
    this.refilledAt = now;
  }

  /** 0 when a token was taken; otherwise the milliseconds until the next one, and nothing is taken. */
  take(ratePerSecond: number, now: number): number {
    this.refill(ratePerSecond, now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / ratePerSecond));
  }

  /** Full again: forgetting the bucket now changes nothing, since a new one starts full. */
  isFull(ratePerSecond: number, now: number): boolean {
    this.refill(ratePerSecond, now);
    return this.tokens >= capacityOf(ratePerSecond);
  }

  private refill(ratePerSecond: number, now: number): void {
    const elapsedMs = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(capacityOf(ratePerSecond), this.tokens + (elapsedMs * ratePerSecond) / 1000);
    this.refilledAt = now;
  }
}

const capacityOf = (ratePerSecond: number): number => Math.max(1, ratePerSecond * BURST_SECONDS);
