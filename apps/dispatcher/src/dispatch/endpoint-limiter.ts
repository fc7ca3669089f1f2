/**
 * At most `limit` concurrent deliveries per endpoint; the rest wait in that endpoint's own queue.
 * A slow endpoint therefore fills only its own slots, and other endpoints' deliveries go past it.
 */
export class EndpointLimiter {
  private readonly endpoints = new Map<string, { running: number; waiting: (() => void)[] }>();
  private queuedTotal = 0;

  constructor(private readonly limit: number) {}

  async run<T>(endpoint: string, work: () => Promise<T>): Promise<T> {
    let state = this.endpoints.get(endpoint);
    if (!state) {
      state = { running: 0, waiting: [] };
      this.endpoints.set(endpoint, state);
    }
    if (state.running >= this.limit) {
      this.queuedTotal += 1;
      await new Promise<void>((resolve) => state!.waiting.push(resolve));
      this.queuedTotal -= 1;
    } else {
      state.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = state.waiting.shift();
      if (next) {
        next(); // the slot passes straight to the next waiter
      } else {
        state.running -= 1;
        if (state.running === 0) this.endpoints.delete(endpoint);
      }
    }
  }

  queued(endpoint: string): number {
    return this.endpoints.get(endpoint)?.waiting.length ?? 0;
  }

  /** Work waiting for a slot, all endpoints together. */
  get queuedEverywhere(): number {
    return this.queuedTotal;
  }
}
