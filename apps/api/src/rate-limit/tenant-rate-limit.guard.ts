import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ServerResponse } from 'node:http';
import { AuthenticatedRequest, principalOf } from '../auth/principal';
import { setRateLimitHeaders } from './rate-limit-headers';
import { RATE_LIMIT_SCOPE, RateLimitScope } from './rate-limit-scope';
import { SharedWindowCounter } from './shared-window-counter';
import { TenantLimitsCache } from './tenant-limits.cache';

const WHAT_IS_LIMITED = { [RateLimitScope.Ingest]: 'events', [RateLimitScope.Other]: 'requests' };

/**
 * The tenant's limit per minute (all its tokens together, across API processes): one for event ingest,
 * one for every other route. Runs after TokenAuthGuard; every answer carries the RateLimit headers.
 */
@Injectable()
export class TenantRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly counter: SharedWindowCounter,
    private readonly limits: TenantLimitsCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { tenantId } = principalOf(context.switchToHttp().getRequest<AuthenticatedRequest>());
    const scope: RateLimitScope.Ingest | RateLimitScope.Other =
      this.reflector.get(RATE_LIMIT_SCOPE, context.getHandler()) ?? RateLimitScope.Other;
    const limits = await this.limits.limitsOf(tenantId);
    const limit = scope === RateLimitScope.Ingest ? limits.ingestPerMinute : limits.otherPerMinute;
    const decision = this.counter.hit(scope, tenantId, limit);
    setRateLimitHeaders(context.switchToHttp().getResponse<ServerResponse>(), decision);
    if (decision.allowed) return true;
    throw new HttpException(
      `Too many requests: this tenant's limit is ${limit} ${WHAT_IS_LIMITED[scope]} per minute; see Retry-After`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
