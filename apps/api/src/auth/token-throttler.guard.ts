import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AuthenticatedRequest, principalOf } from './principal';

/**
 * RATE_LIMIT_PER_MINUTE per API token across all routes (runs after TokenAuthGuard). Counters live in
 * this process's memory: with N API instances behind a balancer a token gets up to N times the limit.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return principalOf(request as unknown as AuthenticatedRequest).tokenId;
  }

  /** The default key includes the route, which would give each token a separate budget per endpoint. */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }
}
