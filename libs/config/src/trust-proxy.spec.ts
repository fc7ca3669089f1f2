import { parseTrustProxy } from './trust-proxy';
import { validateEnvironment } from './environment';

describe('parseTrustProxy', () => {
  it.each([
    ['', false],
    ['false', false],
    ['FALSE', false],
    ['0', 0],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8', ['loopback', '10.0.0.0/8']],
    ['192.0.2.1,fd00::/8, uniquelocal', ['192.0.2.1', 'fd00::/8', 'uniquelocal']],
    ['::1/128', ['::1/128']],
  ])('reads %p as %p', (value, expected) => expect(parseTrustProxy(value)).toEqual(expected));

  it.each([
    'true',
    'yes',
    '-1',
    '1.5',
    '10.0.0.0/33',
    'fd00::/129',
    '10.0.0.0/8/8',
    'proxy.internal',
    'loopback,',
    '10.0.0',
  ])('refuses %p', (value) => expect(parseTrustProxy(value)).toBeNull());

  it('fails start-up on a value Express would misread', () => {
    expect(() => validateEnvironment({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY must be false, a hop count/);
    expect(validateEnvironment({ TRUST_PROXY: 'loopback' }).TRUST_PROXY).toBe('loopback');
    expect(validateEnvironment({}).TRUST_PROXY).toBe('false');
  });
});
