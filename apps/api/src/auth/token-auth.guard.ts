import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { ServerResponse } from 'node:http';
import { AppConfig } from '@app/config';
import { RateLimitScope } from '../rate-limit/rate-limit-scope';
import { SharedWindowCounter } from '../rate-limit/shared-window-counter';
import { AuthenticatedRequest } from './principal';
import { READ_ONLY_TOKEN_MESSAGE, scopeAllows } from './token-scope';
import { AuthenticateTokenUseCase } from './usecases/authenticate-token/authenticate-token.usecase';

/**
 * RFC 6750 §3: a 401 must name the scheme it wants. No error code: a request without credentials should
 * not get one, and the body's message already says what was wrong.
 */
export const WWW_AUTHENTICATE = 'Bearer';
export const TOO_MANY_AUTH_FAILURES_MESSAGE = 'Too many requests with an invalid API token; try again later';

/**
 * Requires a valid bearer token and records its principal on the request (401 otherwise). Failed
 * attempts are counted per client address (AUTH_FAILURES_PER_MINUTE, across API processes like the
 * tenants' limits); past the limit a failure answers 429 with Retry-After instead of 401.
 */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  private readonly failuresPerMinute: number;

  constructor(
    private readonly authenticate: AuthenticateTokenUseCase,
    private readonly counter: SharedWindowCounter,
    config: AppConfig,
  ) {
    this.failuresPerMinute = config.get('AUTH_FAILURES_PER_MINUTE');
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // /v1 requests were authenticated before their body was read (authenticateBeforeBody).
    if (request.refusal !== undefined) throw request.refusal;
    if (!request.principal) {
      await this.authenticateRequest(request, context.switchToHttp().getResponse<ServerResponse>());
    }
    return true;
  }

  /**
   * Records the principal of the request's bearer token, or refuses it: 401 (unknown, revoked or expired),
   * 429 past the failure limit, or 403 for a read-only token on a method that writes.
   */
  async authenticateRequest(request: AuthenticatedRequest, response: ServerResponse): Promise<void> {
    try {
      request.principal = await this.authenticate.execute(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof UnauthorizedException)) throw error;
      this.countFailure(clientAddressOf(request), response);
      response.setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
      throw error;
    }
    if (!scopeAllows(request.principal.scope, request.method)) throw new ForbiddenException(READ_ONLY_TOKEN_MESSAGE);
  }

  private countFailure(address: string, response: ServerResponse): void {
    const { allowed, resetSeconds } = this.counter.hit(RateLimitScope.AuthFailures, address, this.failuresPerMinute);
    if (allowed) return;
    response.setHeader('Retry-After', String(resetSeconds));
    throw new HttpException(TOO_MANY_AUTH_FAILURES_MESSAGE, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** Express's `req.ip` (which honours its trust-proxy setting), else the socket's peer. */
function clientAddressOf(request: AuthenticatedRequest): string {
  return (request as { ip?: string }).ip ?? request.socket?.remoteAddress ?? 'unknown';
}
