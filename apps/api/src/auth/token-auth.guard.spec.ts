import { ExecutionContext, ForbiddenException, HttpException, UnauthorizedException } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { RateLimitWindowRepository } from '@app/persistence';
import { SharedWindowCounter } from '../rate-limit/shared-window-counter';
import { TOO_MANY_AUTH_FAILURES_MESSAGE, TokenAuthGuard, WWW_AUTHENTICATE } from './token-auth.guard';
import { READ_ONLY_TOKEN_MESSAGE } from './token-scope';
import { AuthenticateTokenUseCase } from './usecases/authenticate-token/authenticate-token.usecase';

const FAILURES_PER_MINUTE = 3;
const config = { get: () => FAILURES_PER_MINUTE } as unknown as AppConfig;
/** Counts in this process only: the spec never syncs (the interval is longer than it runs). */
const counters = () => new SharedWindowCounter({} as RateLimitWindowRepository, 3_600_000);
const newGuard = (execute: AuthenticateTokenUseCase['execute'], storage = counters()) =>
  new TokenAuthGuard({ execute } as unknown as AuthenticateTokenUseCase, storage, config);

function contextFor(authorization?: string, ip = '203.0.113.7', method = 'GET') {
  const request: Record<string, unknown> = { headers: { authorization }, ip, method };
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
    const guard = newGuard(async () => principal as never);
    const { context, request, headers } = contextFor('Bearer x');
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(request.principal).toBe(principal);
    expect(headers.size).toBe(0);
  });

  it('lets a read-only token read, and refuses it any other method with 403 and no challenge', async () => {
    const principal = { tokenId: 't', tenantId: 'acme', scope: 'read-only', expiresAt: null };
    const guard = newGuard(async () => principal as never);
    for (const method of ['GET', 'HEAD']) {
      await expect(guard.canActivate(contextFor('Bearer x', undefined, method).context)).resolves.toBe(true);
    }
    for (const method of ['POST', 'PATCH', 'DELETE']) {
      const { context, headers } = contextFor('Bearer x', undefined, method);
      await expect(guard.canActivate(context)).rejects.toEqual(new ForbiddenException(READ_ONLY_TOKEN_MESSAGE));
      expect(headers.size).toBe(0);
    }
  });

  it('takes what authenticateBeforeBody found without checking the token again', async () => {
    const guard = newGuard(async () => {
      throw new Error('checked twice');
    });
    const authenticated = contextFor('Bearer x');
    authenticated.request.principal = { tokenId: 't', tenantId: 'acme' };
    await expect(guard.canActivate(authenticated.context)).resolves.toBe(true);

    const refused = contextFor();
    const refusal = new UnauthorizedException('Missing bearer token');
    refused.request.refusal = refusal;
    await expect(guard.canActivate(refused.context)).rejects.toBe(refusal);
  });

  it('names the Bearer scheme in WWW-Authenticate when it refuses (RFC 6750)', async () => {
    const refusal = new UnauthorizedException('Missing bearer token');
    const guard = newGuard(async () => {
      throw refusal;
    });
    const { context, headers } = contextFor();
    await expect(guard.canActivate(context)).rejects.toBe(refusal);
    expect(headers.get('www-authenticate')).toBe(WWW_AUTHENTICATE);
  });

  it('adds no challenge when the failure is not an authentication one', async () => {
    const guard = newGuard(async () => {
      throw new Error('database down');
    });
    const { context, headers } = contextFor('Bearer x');
    await expect(guard.canActivate(context)).rejects.toThrow('database down');
    expect(headers.size).toBe(0);
  });

  it('answers 429 with Retry-After once an address used up its failures, and still lets valid tokens in', async () => {
    const storage = counters();
    const refusing = newGuard(async () => {
      throw new UnauthorizedException('Invalid or revoked API token');
    }, storage);
    for (let attempt = 0; attempt < FAILURES_PER_MINUTE; attempt += 1) {
      await expect(refusing.canActivate(contextFor('Bearer wrong').context)).rejects.toBeInstanceOf(
        UnauthorizedException,
      );
    }
    const limited = contextFor('Bearer wrong');
    const refusal = await refusing.canActivate(limited.context).catch((error: HttpException) => error);
    expect(refusal).toBeInstanceOf(HttpException);
    expect((refusal as HttpException).getStatus()).toBe(429);
    expect((refusal as HttpException).message).toBe(TOO_MANY_AUTH_FAILURES_MESSAGE);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // Another address is counted on its own; a valid token is never refused for its address's failures.
    await expect(refusing.canActivate(contextFor('Bearer wrong', '198.51.100.1').context)).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
    const accepting = newGuard(async () => ({ tokenId: 't', tenantId: 'acme' }) as never, storage);
    await expect(accepting.canActivate(contextFor('Bearer right').context)).resolves.toBe(true);
  });
});
