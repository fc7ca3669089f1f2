import { UnauthorizedException } from '@nestjs/common';
import { ApiTokenDocument, ApiTokenRepository } from '@app/persistence';
import { issueToken } from '../../api-token-format';
import { VerifiedTokenCache } from '../../verified-token-cache';
import { RevokeApiTokenUseCase } from '../revoke-api-token/revoke-api-token.usecase';
import { AuthenticateTokenUseCase, INVALID_TOKEN_MESSAGE } from './authenticate-token.usecase';

describe('AuthenticateTokenUseCase', () => {
  const issued = issueToken();
  const bearer = `Bearer ${issued.token}`;
  let stored: ApiTokenDocument;
  let reads: number;
  let now: number;
  let authenticate: AuthenticateTokenUseCase;
  let revoke: RevokeApiTokenUseCase;

  beforeEach(() => {
    now = 0;
    reads = 0;
    stored = {
      _id: issued.tokenId,
      tenantId: 'acme',
      name: 'default',
      secretHash: issued.secretHash,
      createdAt: new Date(0),
      revokedAt: null,
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
    authenticate = new AuthenticateTokenUseCase(tokens, verified);
    revoke = new RevokeApiTokenUseCase(tokens, verified);
  });

  const refused = (authorization: string) =>
    expect(authenticate.execute(authorization)).rejects.toEqual(new UnauthorizedException(INVALID_TOKEN_MESSAGE));

  it('reads a token once per window, not once per request', async () => {
    for (let request = 0; request < 5; request += 1) {
      await expect(authenticate.execute(bearer)).resolves.toEqual({ tokenId: issued.tokenId, tenantId: 'acme' });
    }
    expect(reads).toBe(1);
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
});
