import { validateEnvironment } from './environment';

describe('rate-limit settings', () => {
  it('defaults to limits sized for a backend posting hundreds of events a second', () => {
    expect(validateEnvironment({})).toMatchObject({
      RATE_LIMIT_INGEST_PER_MINUTE: 60_000,
      RATE_LIMIT_PER_MINUTE: 6_000,
      RATE_LIMIT_SYNC_INTERVAL: '200ms',
    });
  });

  it.each(['10ms', '250ms', '10s'])('takes a sync interval of %s', (interval) => {
    expect(validateEnvironment({ RATE_LIMIT_SYNC_INTERVAL: interval }).RATE_LIMIT_SYNC_INTERVAL).toBe(interval);
  });

  it.each(['5ms', '11s', 'often', '0'])('refuses a sync interval of %s, naming the range', (interval) => {
    expect(() => validateEnvironment({ RATE_LIMIT_SYNC_INTERVAL: interval })).toThrow(
      /RATE_LIMIT_SYNC_INTERVAL must be a duration from 10ms to 10s/,
    );
  });

  it.each([['RATE_LIMIT_INGEST_PER_MINUTE'], ['RATE_LIMIT_PER_MINUTE']])('refuses a %s under 1', (name) => {
    expect(() => validateEnvironment({ [name]: '0' })).toThrow(new RegExp(name));
  });
});
