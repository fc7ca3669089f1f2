import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ApiTokenRepository, asTenantId } from '@app/persistence';
import { parseToken, readBearer, secretMatches } from '../../api-token-format';
import { Principal } from '../../principal';
import { TokenUseRecorder } from '../../token-use-recorder';
import { VerifiedTokenCache } from '../../verified-token-cache';

/** Unknown, wrong-secret and revoked tokens share one message, so the answer reveals nothing about which. */
export const INVALID_TOKEN_MESSAGE = 'Invalid or revoked API token';

/** Said only to a caller holding the token's secret, so it reveals nothing to anyone else. */
export const expiredTokenMessage = (expiresAt: Date) => `API token expired at ${expiresAt.toISOString()}`;

/** Compared against when the token id is unknown, so that path costs the same as a wrong secret. */
const NO_SUCH_HASH = '0'.repeat(64);

@Injectable()
export class AuthenticateTokenUseCase {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly verified: VerifiedTokenCache,
    private readonly uses: TokenUseRecorder,
  ) {}

  async execute(authorization: string | string[] | undefined): Promise<Principal> {
    const bearer = readBearer(authorization);
    if (!bearer.ok) throw new UnauthorizedException(bearer.reason);
    const parsed = parseToken(bearer.token);
    if (!parsed) throw new UnauthorizedException('Malformed API token');
    // A wrong secret for a cached id goes on to the database, so it costs what any refusal costs.
    // The cache keeps no token past its expiry.
    const cached = this.verified.principalOf(parsed.tokenId, parsed.secret);
    if (cached) {
      this.uses.used(cached.tokenId);
      return cached;
    }
    const stored = await this.tokens.findById(parsed.tokenId);
    const matches = secretMatches(parsed.secret, stored?.secretHash ?? NO_SUCH_HASH);
    if (!stored || !matches || stored.revokedAt !== null) throw new UnauthorizedException(INVALID_TOKEN_MESSAGE);
    // Tokens an earlier release stored before the start-up migration ran: full scope, no expiry.
    const expiresAt = stored.expiresAt ?? null;
    if (expiresAt !== null && expiresAt.getTime() <= Date.now()) {
      throw new UnauthorizedException(expiredTokenMessage(expiresAt));
    }
    const principal: Principal = {
      tokenId: stored._id,
      tenantId: asTenantId(stored.tenantId),
      scope: stored.scope ?? 'full',
      expiresAt,
    };
    this.verified.remember(stored._id, stored.secretHash, principal);
    this.uses.used(stored._id, stored.lastUsedAt ?? null);
    return principal;
  }
}
