/**
 * The counts of one limit as a process knows them: hits in the current fixed window and in the one
 * before it, each summed over every API process as of the last sync, plus this process's hits since.
 */
export interface WindowCounts {
  /** Start of the current window, ms since the epoch: a multiple of the window's length, so every process agrees. */
  windowStart: number;
  current: number;
  previous: number;
}

/**
 * Hits in the sliding window that ends now: the current window's, plus the previous window's weighted by
 * how much of it the sliding window still covers (hits assumed evenly spread). Spares the burst of up to
 * twice the limit a fixed window lets through around its boundary.
 */
export function hitsInSlidingWindow(
  { windowStart, current, previous }: WindowCounts,
  now: number,
  windowMs: number,
): number {
  const previousShare = 1 - (now - windowStart) / windowMs;
  return Math.floor(previous * previousShare) + current;
}

/** Milliseconds until, with no more hits, the sliding window holds fewer than `limit`: when to retry. */
export function msUntilUnder(limit: number, counts: WindowCounts, now: number, windowMs: number): number {
  const { windowStart, current, previous } = counts;
  if (hitsInSlidingWindow(counts, now, windowMs) < limit) return 0;
  // floor(x) < n exactly when x < n for a whole n: solve previous × (1 − share) < limit − current for the share.
  if (current < limit) return windowStart + (1 - (limit - current) / previous) * windowMs - now + 1;
  // This window alone is over the limit: wait until, in the next one, its weighted share drops under it.
  return windowStart + windowMs + (1 - limit / current) * windowMs - now + 1;
}

/** Whole seconds, at least 1: what Retry-After and RateLimit-Reset carry. */
export function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
