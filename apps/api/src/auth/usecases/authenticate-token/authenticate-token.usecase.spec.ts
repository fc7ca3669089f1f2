import { UnauthorizedException } from '@nestjs/common';
import { ApiTokenDocument, ApiTokenRepository } from '@app/persistence';
import { issueToken } from '../../api-token-format';
import { TokenUseRecorder } from '../../token-use-recorder';
import { VerifiedTokenCache } from '../../verified-token-cache';
import { RevokeApiTokenUseCase } from '../revoke-api-token/revoke-api-token.usecase';
import { AuthenticateTokenUseCase, expiredTokenMessage, INVALID_TOKEN_MESSAGE } from './authenticate-token.usecase';

describe('AuthenticateTokenUseCase', () => {
  const issued = issueToken();
  const bearer = `Bearer ${issued.token}`;
  let stored: ApiTokenDocument;
  let reads: number;
  let uses: string[];
  let now: number;
  let authenticate: AuthenticateTokenUseCase;
  let revoke: RevokeApiTokenUseCase;

  beforeEach(() => {
    now = 0;
    reads = 0;
    uses = [];
    stored = {
      _id: issued.tokenId,
      tenantId: 'acme',
      name: 'default',
      secretHash: issued.secretHash,
      createdAt: new Date(0),
      revokedAt: null,
      scope: 'read-only',
      expiresAt: null,
      lastUsedAt: null,
    };
    const tokens = {
      findById: async () => {
        reads += 1;
        return stored;
      },
      revoke: async () => {
        stored = { ...stored, revokedAt: new Date() };
        return true;
      },
    } as unknown as ApiTokenRepository;
    const verified = new VerifiedTokenCache(2_000, 100, () => now);
    const recorder = { used: (tokenId: string) => uses.push(tokenId) } as unknown as TokenUseRecorder;
    authenticate = new AuthenticateTokenUseCase(tokens, verified, recorder);
    revoke = new RevokeApiTokenUseCase(tokens, verified);
  });

  const refused = (authorization: string) =>
    expect(authenticate.execute(authorization)).rejects.toEqual(new UnauthorizedException(INVALID_TOKEN_MESSAGE));

  it('reads a token once per window, not once per request', async () => {
    for (let request = 0; request < 5; request += 1) {
      await expect(authenticate.execute(bearer)).resolves.toEqual({
        tokenId: issued.tokenId,
        tenantId: 'acme',
        scope: 'read-only',
        expiresAt: null,
      });
    }
    expect(reads).toBe(1);
    expect(uses).toEqual(Array(5).fill(issued.tokenId));
    now = 2_000;
    await authenticate.execute(bearer);
    expect(reads).toBe(2);
  });

  it('refuses a wrong secret for a verified token id after reading the token, like any refusal', async () => {
    await authenticate.execute(bearer);
    await refused(`Bearer whk_${issued.tokenId}_${'A'.repeat(43)}`);
    expect(reads).toBe(2);
  });

  it('refuses a token revoked elsewhere once its verification expires', async () => {
    await authenticate.execute(bearer);
    stored = { ...stored, revokedAt: new Date() };
    await authenticate.execute(bearer); // within the window: still trusted
    now = 2_000;
    await refused(bearer);
  });

  it('refuses a token revoked through this process at once', async () => {
    await authenticate.execute(bearer);
    await expect(revoke.execute({ tokenId: issued.tokenId })).resolves.toBe('revoked');
    await refused(bearer);
  });

  it('never remembers a refusal', async () => {
    stored = { ...stored, revokedAt: new Date() };
    await refused(bearer);
    stored = { ...stored, revokedAt: null };
    await expect(authenticate.execute(bearer)).resolves.toBeDefined();
  });

  it('refuses an expired token, saying when it expired', async () => {
    const expiresAt = new Date(Date.now() - 1);
    stored = { ...stored, expiresAt };
    await expect(authenticate.execute(bearer)).rejects.toEqual(
      new UnauthorizedException(expiredTokenMessage(expiresAt)),
    );
    expect(expiredTokenMessage(new Date('2026-01-02T03:04:05.000Z'))).toBe(
      'API token expired at 2026-01-02T03:04:05.000Z',
    );
    expect(uses).toEqual([]);
  });

  it('accepts a token until it expires', async () => {
    stored = { ...stored, expiresAt: new Date(Date.now() + 60_000) };
    await expect(authenticate.execute(bearer)).resolves.toMatchObject({ expiresAt: stored.expiresAt });
  });

  it('says nothing of the expiry to a caller without the secret', async () => {
    stored = { ...stored, expiresAt: new Date(Date.now() - 1) };
    await refused(`Bearer whk_${issued.tokenId}_${'A'.repeat(43)}`);
  });

  it('takes tokens stored before scopes and expiry for full-scope tokens that never expire', async () => {
    const { scope: _scope, expiresAt: _expiresAt, lastUsedAt: _lastUsedAt, ...older } = stored;
    stored = older as ApiTokenDocument;
    await expect(authenticate.execute(bearer)).resolves.toMatchObject({ scope: 'full', expiresAt: null });
  });
});
