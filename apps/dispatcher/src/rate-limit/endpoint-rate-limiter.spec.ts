import { EndpointRateLimiter } from './endpoint-rate-limiter';

describe('EndpointRateLimiter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  /** Starts `count` deliveries to the endpoint and records when each was let go. */
  const start = (limiter: EndpointRateLimiter, endpoint: string, rateLimit: number | null, count: number) => {
    const letGoAt: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const turn = limiter.acquire(endpoint, rateLimit);
      if (turn) void turn.then(() => letGoAt.push(Date.now()));
      else letGoAt.push(Date.now());
    }
    return letGoAt;
  };

  it('lets a webhook without a limit go at once, without a promise', () => {
    const limiter = new EndpointRateLimiter((rateLimit) => rateLimit);
    expect(limiter.acquire('wh-1', null)).toBeUndefined();
    expect(limiter.acquire('wh-1', undefined)).toBeUndefined();
    expect(limiter.waitingEverywhere).toBe(0);
  });

  it("spaces deliveries by this dispatcher's share, in arrival order, without holding up other webhooks", async () => {
    // rateLimit 4 shared by 2 dispatchers: 2 per second here.
    const limiter = new EndpointRateLimiter((rateLimit) => rateLimit / 2);
    const limited = start(limiter, 'wh-limited', 4, 5);
    const free = start(limiter, 'wh-free', null, 3);
    expect(free).toEqual([0, 0, 0]);
    expect(limiter.waitingEverywhere).toBe(4);
    await jest.advanceTimersByTimeAsync(2_500);
    expect(limited).toEqual([0, 500, 1000, 1500, 2000]);
    expect(limiter.waitingEverywhere).toBe(0);
  });

  it('holds a rate over any second, at high rates too', async () => {
    const limiter = new EndpointRateLimiter((rateLimit) => rateLimit);
    const letGoAt = start(limiter, 'wh-1', 200, 1_000);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(letGoAt).toHaveLength(1_000);
    const perSecond = new Map<number, number>();
    for (const at of letGoAt) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    // The first second includes the initial burst of a tenth of a second (20).
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(220);
    expect(letGoAt[letGoAt.length - 1]).toBeGreaterThanOrEqual(4_900);
  });

  it('applies a changed share to the deliveries still waiting', async () => {
    let dispatchers = 1;
    const limiter = new EndpointRateLimiter((rateLimit) => rateLimit / dispatchers);
    const letGoAt = start(limiter, 'wh-1', 1, 3);
    await jest.advanceTimersByTimeAsync(1_000);
    dispatchers = 2; // another dispatcher joined: 0.5 per second here from now on
    await jest.advanceTimersByTimeAsync(4_000);
    expect(letGoAt).toEqual([0, 1000, 3000]);
  });

  it('applies a changed rateLimit from the next delivery', async () => {
    const limiter = new EndpointRateLimiter((rateLimit) => rateLimit);
    const slow = start(limiter, 'wh-1', 1, 2);
    const fast = start(limiter, 'wh-1', 10, 1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect([...slow, ...fast]).toEqual([0, 100, 200]);
  });

  it('lets every waiting delivery go at shutdown', async () => {
    const limiter = new EndpointRateLimiter((rateLimit) => rateLimit);
    const letGoAt = start(limiter, 'wh-1', 1, 4);
    limiter.releaseAll();
    await jest.advanceTimersByTimeAsync(0);
    expect(letGoAt).toEqual([0, 0, 0, 0]);
    expect(limiter.waitingEverywhere).toBe(0);
  });
});
