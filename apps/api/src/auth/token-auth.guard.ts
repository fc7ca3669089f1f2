import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { ServerResponse } from 'node:http';
import { AuthenticatedRequest } from './principal';
import { AuthenticateTokenUseCase } from './usecases/authenticate-token/authenticate-token.usecase';

/**
 * RFC 6750 §3: a 401 must name the scheme it wants. No error code: a request without credentials should
 * not get one, and the body's message already says what was wrong.
 */
export const WWW_AUTHENTICATE = 'Bearer';

/** Requires a valid bearer token and records its principal on the request (401 otherwise). */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  constructor(private readonly authenticate: AuthenticateTokenUseCase) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    try {
      request.principal = await this.authenticate.execute(request.headers.authorization);
    } catch (error) {
      if (error instanceof UnauthorizedException) {
        context.switchToHttp().getResponse<ServerResponse>().setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
      }
      throw error;
    }
    return true;
  }
}
