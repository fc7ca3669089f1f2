import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { ApiTokenScope, TenantId } from '@app/persistence';

/** Who is calling: the token, and through it the tenant every query is scoped to. */
export interface Principal {
  tokenId: string;
  tenantId: TenantId;
  scope: ApiTokenScope;
  /** The token is refused from then on; null: never. */
  expiresAt: Date | null;
}

export type AuthenticatedRequest = IncomingMessage & {
  principal?: Principal;
  /** Why its token was refused before its body was read; TokenAuthGuard answers with it. */
  refusal?: unknown;
};

export function principalOf(request: AuthenticatedRequest): Principal {
  // Only reachable on a route without TokenAuthGuard: a wiring bug, not a client error.
  if (!request.principal) throw new Error('No principal on the request; is the route guarded by TokenAuthGuard?');
  return request.principal;
}

/** The authenticated principal of a request (set by TokenAuthGuard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal =>
  principalOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);
