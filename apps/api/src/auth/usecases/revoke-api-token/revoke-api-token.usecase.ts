import { Injectable } from '@nestjs/common';
import { ApiTokenRepository } from '@app/persistence';

export interface RevokeApiTokenCommand {
  tokenId: string;
}

export type RevokeOutcome = 'revoked' | 'already_revoked' | 'not_found';

/** Revocation takes effect on the next request: every request looks its token up. */
@Injectable()
export class RevokeApiTokenUseCase {
  constructor(private readonly tokens: ApiTokenRepository) {}

  async execute(command: RevokeApiTokenCommand): Promise<RevokeOutcome> {
    if (await this.tokens.revoke(command.tokenId)) return 'revoked';
    return (await this.tokens.findById(command.tokenId)) ? 'already_revoked' : 'not_found';
  }
}
