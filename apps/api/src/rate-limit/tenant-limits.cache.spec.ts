import { asTenantId, TenantLimits, TenantLimitsRepository } from '@app/persistence';
import { TENANT_LIMITS_TTL_MS, TenantLimitsCache } from './tenant-limits.cache';

const DEFAULTS = { ingestPerMinute: 60_000, otherPerMinute: 6_000 };
const acme = asTenantId('acme');

describe('TenantLimitsCache', () => {
  let now: number;
  let stored: TenantLimits | null;
  let reads: number;
  let cache: TenantLimitsCache;
  beforeEach(() => {
    now = 1_000_000;
    stored = null;
    reads = 0;
    const repository = {
      find: async () => {
        reads += 1;
        return stored && { ...stored };
      },
    } as unknown as TenantLimitsRepository;
    cache = new TenantLimitsCache(repository, DEFAULTS, () => now);
  });

  it.each([
    ['no limits of its own', null, DEFAULTS],
    ['an ingest limit only', { ingestPerMinute: 100, otherPerMinute: null }, { ...DEFAULTS, ingestPerMinute: 100 }],
    ['both', { ingestPerMinute: 100, otherPerMinute: 5 }, { ingestPerMinute: 100, otherPerMinute: 5 }],
  ])('a tenant with %s gets its own where set and the defaults elsewhere', async (_case, own, expected) => {
    stored = own;
    await expect(cache.limitsOf(acme)).resolves.toEqual(expected);
  });

  it('reads a tenant once per TTL, once for concurrent first requests, and answers from memory meanwhile', async () => {
    await Promise.all([cache.limitsOf(acme), cache.limitsOf(acme), cache.limitsOf(acme)]);
    expect(reads).toBe(1);
    stored = { ingestPerMinute: 10, otherPerMinute: 10 };
    now += TENANT_LIMITS_TTL_MS - 1;
    await expect(cache.limitsOf(acme)).resolves.toEqual(DEFAULTS);
    expect(reads).toBe(1);

    now += 1;
    // Expired: answered as known while it is read again, then the change applies.
    await expect(cache.limitsOf(acme)).resolves.toEqual(DEFAULTS);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(cache.limitsOf(acme)).resolves.toEqual({ ingestPerMinute: 10, otherPerMinute: 10 });
    expect(reads).toBe(2);
  });
});
