import { Injectable } from '@nestjs/common';
import { ApiTokenRepository } from '@app/persistence';
import { VerifiedTokenCache } from '../../verified-token-cache';

export interface RevokeApiTokenCommand {
  tokenId: string;
}

export type RevokeOutcome = 'revoked' | 'already_revoked' | 'not_found';

/**
 * This process refuses the token from its next request on; other processes once their verification of
 * it expires (VERIFIED_TOKEN_TTL_MS).
 */
@Injectable()
export class RevokeApiTokenUseCase {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly verified: VerifiedTokenCache,
  ) {}

  async execute(command: RevokeApiTokenCommand): Promise<RevokeOutcome> {
    const revoked = await this.tokens.revoke(command.tokenId);
    this.verified.forget(command.tokenId);
    if (revoked) return 'revoked';
    return (await this.tokens.findById(command.tokenId)) ? 'already_revoked' : 'not_found';
  }
}
