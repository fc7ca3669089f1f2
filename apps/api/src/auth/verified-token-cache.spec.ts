import { hashSecret } from './api-token-format';
import { VerifiedTokenCache } from './verified-token-cache';

const principal = (tokenId: string) => ({ tokenId, tenantId: 'acme' }) as never;

describe('VerifiedTokenCache', () => {
  let now = 0;
  const cache = (ttlMs = 1_000, maxEntries = 3) => new VerifiedTokenCache(ttlMs, maxEntries, () => now);
  beforeEach(() => (now = 0));

  it('answers a verified token’s principal for its own secret only', () => {
    const tokens = cache();
    tokens.remember('t1', hashSecret('right'), principal('t1'));
    expect(tokens.principalOf('t1', 'right')).toEqual(principal('t1'));
    expect(tokens.principalOf('t1', 'wrong')).toBeUndefined();
    expect(tokens.principalOf('t2', 'right')).toBeUndefined();
  });

  it.each([
    [999, true],
    [1_000, false],
    [5_000, false],
  ])('after %p ms of a 1,000 ms window, still trusted: %p', (elapsed, trusted) => {
    const tokens = cache();
    tokens.remember('t1', hashSecret('s'), principal('t1'));
    now = elapsed;
    expect(tokens.principalOf('t1', 's') !== undefined).toBe(trusted);
  });

  it('trusts a token no longer than until it expires', () => {
    const tokens = cache();
    tokens.remember('t1', hashSecret('s'), { tokenId: 't1', tenantId: 'acme', expiresAt: new Date(400) } as never);
    now = 399;
    expect(tokens.principalOf('t1', 's')).toBeDefined();
    now = 400;
    expect(tokens.principalOf('t1', 's')).toBeUndefined();
  });

  it('forgets a token at once (a revocation through this process)', () => {
    const tokens = cache();
    tokens.remember('t1', hashSecret('s'), principal('t1'));
    tokens.forget('t1');
    expect(tokens.principalOf('t1', 's')).toBeUndefined();
  });

  it('makes room by dropping the oldest verification when full', () => {
    const tokens = cache(1_000, 2);
    tokens.remember('t1', hashSecret('s'), principal('t1'));
    tokens.remember('t2', hashSecret('s'), principal('t2'));
    tokens.remember('t1', hashSecret('s'), principal('t1')); // verified again: now the newest
    tokens.remember('t3', hashSecret('s'), principal('t3'));
    expect(tokens.principalOf('t2', 's')).toBeUndefined();
    expect(tokens.principalOf('t1', 's')).toBeDefined();
    expect(tokens.principalOf('t3', 's')).toBeDefined();
  });
});
