import { SlidingWindowThrottlerStorage } from './sliding-window-throttler.storage';

const MINUTE = 60_000;

describe('SlidingWindowThrottlerStorage', () => {
  let now: number;
  let storage: SlidingWindowThrottlerStorage;
  beforeEach(() => {
    now = 1_000_000;
    storage = new SlidingWindowThrottlerStorage(() => now);
  });
  const hit = (limit: number, blockDuration = 0, key = 'k') => storage.hit(key, MINUTE, limit, blockDuration);

  it('counts hits up to the limit, refuses the next, and says when the window ends', () => {
    expect([1, 2, 3].map(() => hit(3))).toEqual(
      [1, 2, 3].map((totalHits) => expect.objectContaining({ totalHits, isBlocked: false })),
    );
    now += 15_000;
    expect(hit(3)).toEqual({ totalHits: 4, timeToExpire: 45, isBlocked: true, timeToBlockExpire: 45 });
  });

  it('with a block duration, refuses the key for that long once over the limit', () => {
    hit(1, MINUTE);
    expect(hit(1, MINUTE)).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
    now += 59_000;
    expect(hit(1, MINUTE)).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    now += 1_000;
    expect(hit(1, MINUTE)).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(hit(1, MINUTE)).toMatchObject({ isBlocked: true });
  });

  it.each([
    // [ms into the next window, hits the previous window still counts for, of 100]
    [0, 100],
    [30_000, 50],
    [45_000, 25],
    [59_999, 0],
  ])('at %p ms into the next window, counts %p of the previous window’s 100 hits', (into, counted) => {
    for (let n = 0; n < 100; n += 1) hit(1_000);
    now += MINUTE + into;
    expect(hit(1_000).totalHits).toBe(counted + 1);
  });

  it('forgets the previous window after two, and keys do not share counts', () => {
    hit(5);
    hit(5, 0, 'other');
    now += 2 * MINUTE;
    expect(hit(5).totalHits).toBe(1);
    expect(hit(5, 0, 'other').totalHits).toBe(1);
  });

  it('drops counters idle for two windows', () => {
    hit(5, 0, 'a');
    now += 2 * MINUTE;
    hit(5, 0, 'b');
    expect(storage.size).toBe(1);
  });

  it('costs the same whatever the number of hits counted', () => {
    for (let n = 0; n < 100_000; n += 1) hit(1e9);
    const started = process.hrtime.bigint();
    for (let n = 0; n < 10_000; n += 1) hit(1e9);
    expect(Number(process.hrtime.bigint() - started) / 10_000).toBeLessThan(20_000); // < 20 µs a hit
  });
});
