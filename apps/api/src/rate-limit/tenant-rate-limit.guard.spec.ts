import { ExecutionContext, HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RateLimitWindowRepository } from '@app/persistence';
import { EventsController } from '../events/events.controller';
import { SharedWindowCounter } from './shared-window-counter';
import { TenantLimitsCache } from './tenant-limits.cache';
import { TenantRateLimitGuard } from './tenant-rate-limit.guard';

const LIMITS = { ingestPerMinute: 2, otherPerMinute: 1 };

function contextFor(handler: (...args: never[]) => unknown, tenantId = 'acme') {
  const headers = new Map<string, string>();
  const response = { setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value) };
  const request = { principal: { tokenId: 't', tenantId } };
  const context = {
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { context, headers };
}

describe('TenantRateLimitGuard', () => {
  let guard: TenantRateLimitGuard;
  beforeEach(() => {
    // The spec never syncs: the interval is longer than it runs.
    const counter = new SharedWindowCounter({} as RateLimitWindowRepository, 3_600_000);
    const limits = { limitsOf: async () => LIMITS } as unknown as TenantLimitsCache;
    guard = new TenantRateLimitGuard(new Reflector(), counter, limits);
  });
  const ingest = EventsController.prototype.create;
  const other = EventsController.prototype.list;

  it('puts event ingest under the ingest limit and every other route under the other one', async () => {
    const first = contextFor(ingest);
    await expect(guard.canActivate(first.context)).resolves.toBe(true);
    expect(first.headers.get('ratelimit-policy')).toBe('2;w=60');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');

    const listed = contextFor(other);
    await expect(guard.canActivate(listed.context)).resolves.toBe(true);
    expect(listed.headers.get('ratelimit-limit')).toBe('1');
    expect(listed.headers.get('ratelimit-remaining')).toBe('0');
    expect(listed.headers.has('retry-after')).toBe(false);
  });

  it('answers 429 with Retry-After and a message naming the limit, and counts tenants apart', async () => {
    await guard.canActivate(contextFor(other).context);
    const refused = contextFor(other);
    const error = await guard.canActivate(refused.context).catch((caught: HttpException) => caught);
    expect(error).toBeInstanceOf(HttpException);
    expect((error as HttpException).getStatus()).toBe(429);
    expect((error as HttpException).message).toBe(
      "Too many requests: this tenant's limit is 1 requests per minute; see Retry-After",
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-reset')).toBe(refused.headers.get('retry-after'));
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');

    await expect(guard.canActivate(contextFor(other, 'globex').context)).resolves.toBe(true);
  });
});
