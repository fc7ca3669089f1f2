import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it.each<[string, number, number[], number[]]>([
    // rate per second, times of each take (ms), expected result of each (0 = taken, else ms to wait)
    ['one token at a low rate: the second waits a whole interval', 2, [0, 0, 250, 500], [0, 500, 250, 0]],
    [
      'a burst of a tenth of a second at a high rate',
      100,
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10],
    ],
    ['a fractional rate', 0.5, [0, 1000, 2000], [0, 1000, 0]],
    ['no more than its capacity after a long idle time', 1, [0, 60_000, 60_000], [0, 0, 1000]],
  ])('%s', (_case, rate, times, expected) => {
    const bucket = new TokenBucket(rate, 0);
    expect(times.map((now) => bucket.take(rate, now))).toEqual(expected);
  });

  it('refills at the new rate once the rate changes (a dispatcher joined or left)', () => {
    const bucket = new TokenBucket(10, 0);
    expect(bucket.take(10, 0)).toBe(0);
    expect(bucket.take(5, 0)).toBe(200);
    expect(bucket.take(5, 200)).toBe(0);
    expect(bucket.take(20, 200)).toBe(50);
  });

  it('is full again once idle for an interval, so forgetting it changes nothing', () => {
    const bucket = new TokenBucket(4, 0);
    bucket.take(4, 0);
    expect(bucket.isFull(4, 100)).toBe(false);
    expect(bucket.isFull(4, 250)).toBe(true);
  });
});
