import { hitsInSlidingWindow, msUntilUnder, WindowCounts, wholeSeconds } from './sliding-window';

const MINUTE = 60_000;
const START = 10 * MINUTE;
const counts = (current: number, previous: number): WindowCounts => ({ windowStart: START, current, previous });

describe('hitsInSlidingWindow', () => {
  it.each([
    // [ms into the current window, current hits, previous window's hits, counted]
    [0, 0, 100, 100],
    [30_000, 0, 100, 50],
    [45_000, 10, 100, 35],
    [59_999, 3, 100, 3],
    [15_000, 7, 0, 7],
  ])('at %p ms in, with %p hits now and %p before, counts %p', (into, current, previous, counted) => {
    expect(hitsInSlidingWindow(counts(current, previous), START + into, MINUTE)).toBe(counted);
  });
});

describe('msUntilUnder', () => {
  it.each([
    // [limit, ms into the window, current, previous, ms to wait]
    ['under the limit: none', 20, 10_000, 5, 10, 0],
    ['the previous window must fade: half of 20 gone at 30 s', 20, 0, 10, 20, 30_001],
    ['this window alone is over: into the next one', 20, 10_000, 20, 0, 50_001],
    ['this window at twice the limit: half-way into the next', 10, 0, 20, 0, 90_001],
  ])('%s', (_case, limit, into, current, previous, wait) => {
    const now = START + Number(into);
    const ms = msUntilUnder(Number(limit), counts(Number(current), Number(previous)), now, MINUTE);
    expect(ms).toBe(wait);
    // After that wait the window is indeed under the limit (in the next window the current hits become previous).
    const later = now + ms;
    const rolled = later >= START + MINUTE;
    const afterwards = rolled
      ? { windowStart: START + MINUTE, current: 0, previous: Number(current) }
      : counts(Number(current), Number(previous));
    expect(hitsInSlidingWindow(afterwards, later, MINUTE)).toBeLessThan(Number(limit));
  });
});

describe('wholeSeconds', () => {
  it.each([
    [0, 1],
    [1, 1],
    [1_000, 1],
    [1_001, 2],
    [59_500, 60],
  ])('%p ms is %p s', (ms, seconds) => expect(wholeSeconds(ms)).toBe(seconds));
});
