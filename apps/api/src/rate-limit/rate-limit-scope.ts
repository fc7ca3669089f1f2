import { SetMetadata } from '@nestjs/common';

/** What a limit counts. The values are part of the ids in rate_limit_windows: never rename one. */
export enum RateLimitScope {
  /** A tenant's events through POST /v1/webhooks/events. */
  Ingest = 'ingest',
  /** A tenant's requests to every other /v1 route. */
  Other = 'other',
  /** Requests with a refused token, per client address. */
  AuthFailures = 'auth-failures',
}

export const RATE_LIMIT_SCOPE = 'rateLimitScope';

/** Puts a route under the tenant's ingest limit instead of the one for other routes. */
export const IngestRateLimit = (): MethodDecorator => SetMetadata(RATE_LIMIT_SCOPE, RateLimitScope.Ingest);
