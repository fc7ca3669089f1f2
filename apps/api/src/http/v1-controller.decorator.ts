import { applyDecorators, Controller, HttpStatus, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { TokenAuthGuard } from '../auth/token-auth.guard';
import { TenantRateLimitGuard } from '../rate-limit/tenant-rate-limit.guard';
import { ApiErrors } from './api-docs.decorators';
import { EnvelopeInterceptor } from './envelope.interceptor';

/**
 * A controller of the public /v1 API: bearer token required, rate limited per tenant, success bodies
 * wrapped in the envelope. /health, /ready and /metrics are plain controllers and stay public.
 */
export function V1Controller(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(`v1/${path}`),
    ApiTags(tag),
    ApiBearerAuth(),
    UseGuards(TokenAuthGuard, TenantRateLimitGuard),
    UseInterceptors(EnvelopeInterceptor),
    ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.TOO_MANY_REQUESTS, HttpStatus.SERVICE_UNAVAILABLE),
  );
}
