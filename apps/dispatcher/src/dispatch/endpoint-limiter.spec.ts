import { EndpointLimiter } from './endpoint-limiter';

describe('EndpointLimiter', () => {
  it('caps concurrency per endpoint without holding back other endpoints', async () => {
    const limiter = new EndpointLimiter(2);
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    let slowRunning = 0;
    let slowPeak = 0;
    const slow = Array.from({ length: 5 }, () =>
      limiter.run('slow', async () => {
        slowRunning += 1;
        slowPeak = Math.max(slowPeak, slowRunning);
        await slowGate;
        slowRunning -= 1;
      }),
    );
    const fast = await limiter.run('fast', async () => 'fast done');
    expect(fast).toBe('fast done');
    expect(limiter.queued('slow')).toBe(3);
    expect(limiter.queuedEverywhere).toBe(3);
    releaseSlow();
    await Promise.all(slow);
    expect(slowPeak).toBe(2);
    expect(limiter.queued('slow')).toBe(0);
    expect(limiter.queuedEverywhere).toBe(0);
  });
});
