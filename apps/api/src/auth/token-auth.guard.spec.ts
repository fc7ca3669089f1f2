import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { TokenAuthGuard, WWW_AUTHENTICATE } from './token-auth.guard';
import { AuthenticateTokenUseCase } from './usecases/authenticate-token/authenticate-token.usecase';

function contextFor(authorization?: string) {
  const request: Record<string, unknown> = { headers: { authorization } };
  const headers = new Map<string, string>();
  const response = { setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), value) };
  const context = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { context, request, headers };
}

describe('TokenAuthGuard', () => {
  it('records the principal of a valid token', async () => {
    const principal = { tokenId: 't', tenantId: 'acme' };
    const guard = new TokenAuthGuard({ execute: async () => principal } as unknown as AuthenticateTokenUseCase);
    const { context, request, headers } = contextFor('Bearer x');
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(request.principal).toBe(principal);
    expect(headers.size).toBe(0);
  });

  it('names the Bearer scheme in WWW-Authenticate when it refuses (RFC 6750)', async () => {
    const refusal = new UnauthorizedException('Missing bearer token');
    const guard = new TokenAuthGuard({
      execute: async () => {
        throw refusal;
      },
    } as unknown as AuthenticateTokenUseCase);
    const { context, headers } = contextFor();
    await expect(guard.canActivate(context)).rejects.toBe(refusal);
    expect(headers.get('www-authenticate')).toBe(WWW_AUTHENTICATE);
  });

  it('adds no challenge when the failure is not an authentication one', async () => {
    const guard = new TokenAuthGuard({
      execute: async () => {
        throw new Error('database down');
      },
    } as unknown as AuthenticateTokenUseCase);
    const { context, headers } = contextFor('Bearer x');
    await expect(guard.canActivate(context)).rejects.toThrow('database down');
    expect(headers.size).toBe(0);
  });
});
