import { parseRetryAfter } from './retry-after';

const now = Date.parse('2030-01-01T00:00:00.000Z');

describe('parseRetryAfter', () => {
  it.each<[string, string | string[] | undefined, number | null]>([
    ['no header', undefined, null],
    ['an empty header', '', null],
    ['blanks only', '   ', null],
    ['delta-seconds', '120', 120_000],
    ['zero seconds', '0', 0],
    ['seconds with blanks around them', ' 30 ', 30_000],
    ['the first of repeated headers', ['5', '60'], 5_000],
    ['an HTTP date ahead', 'Tue, 01 Jan 2030 00:01:30 GMT', 90_000],
    ['an HTTP date in the past, as now', 'Sun, 31 Dec 2028 23:59:00 GMT', 0],
    ['the obsolete RFC 850 date form', 'Tuesday, 01-Jan-30 00:00:10 GMT', 10_000],
    ['garbage', 'soon', null],
    ['seconds with a unit', '5s', null],
    ['a number then words', '12 monkeys', null],
    ['negative seconds', '-5', null],
    ['signed seconds', '+5', null],
    ['fractional seconds', '1.5', null],
    ['exponent notation', '1e3', null],
    ['a huge number of seconds, kept whole (the schedule caps it)', '99999999999999999999', 1e23],
  ])('%s', (_case, header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it('reads more digits than a double holds as an endless wait, which the schedule caps', () => {
    expect(parseRetryAfter('9'.repeat(400), now)).toBe(Number.POSITIVE_INFINITY);
  });

  it('counts a date from the time given', () => {
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:10 GMT', now + 4_000)).toBe(6_000);
  });
});
