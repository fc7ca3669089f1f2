import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AuthenticatedRequest } from './principal';
import { AuthenticateTokenUseCase } from './usecases/authenticate-token/authenticate-token.usecase';

/** Requires a valid bearer token and records its principal on the request (401 otherwise). */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  constructor(private readonly authenticate: AuthenticateTokenUseCase) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.principal = await this.authenticate.execute(request.headers.authorization);
    return true;
  }
}
