import { minuteBuckets, outcomeOf } from './minute-buckets';

const at = (iso: string) => new Date(iso);

describe('minuteBuckets', () => {
  it('ends with the minute that holds "now" and includes empty minutes', () => {
    const { from, to, buckets } = minuteBuckets(at('2026-03-01T10:05:30.000Z'), 3);
    expect(from.toISOString()).toBe('2026-03-01T10:03:00.000Z');
    expect(to.toISOString()).toBe('2026-03-01T10:06:00.000Z');
    expect(buckets.map(({ minute }) => minute.toISOString())).toEqual([
      '2026-03-01T10:03:00.000Z',
      '2026-03-01T10:04:00.000Z',
      '2026-03-01T10:05:00.000Z',
    ]);
    expect(buckets.every((bucket) => bucket.succeeded + bucket.httpError + bucket.noResponse === 0)).toBe(true);
  });

  it('counts each attempt once, in its minute and outcome, and ignores attempts outside the window', () => {
    const window = minuteBuckets(at('2026-03-01T10:05:30.000Z'), 3);
    window.count({ startedAt: at('2026-03-01T10:03:00.000Z'), success: true, statusCode: 200 });
    window.count({ startedAt: at('2026-03-01T10:05:59.999Z'), success: false, statusCode: 500 });
    window.count({ startedAt: at('2026-03-01T10:05:01.000Z'), success: false, statusCode: null });
    window.count({ startedAt: at('2026-03-01T10:02:59.999Z'), success: true, statusCode: 200 });
    window.count({ startedAt: at('2026-03-01T10:06:00.000Z'), success: true, statusCode: 200 });

    expect(window.buckets.map(({ succeeded, httpError, noResponse }) => [succeeded, httpError, noResponse])).toEqual([
      [1, 0, 0],
      [0, 0, 0],
      [0, 1, 1],
    ]);
    expect(window.totals).toEqual({ succeeded: 1, httpError: 1, noResponse: 1 });
  });
});

describe('outcomeOf', () => {
  it('tells a 2xx, an HTTP failure (a redirect too) and no answer apart', () => {
    expect(outcomeOf({ success: true, statusCode: 204 })).toBe('succeeded');
    expect(outcomeOf({ success: false, statusCode: 302 })).toBe('httpError');
    expect(outcomeOf({ success: false, statusCode: 503 })).toBe('httpError');
    expect(outcomeOf({ success: false, statusCode: null })).toBe('noResponse');
  });
});
