import { BadRequestException, Injectable } from '@nestjs/common';
import { ApiTokenRepository } from '@app/persistence';
import { issueToken } from '../../api-token-format';

export interface CreateApiTokenCommand {
  tenantId: string;
  name?: string;
}

export interface CreatedApiToken {
  tokenId: string;
  tenantId: string;
  name: string;
  /** The bearer token: shown to the operator once; only its hash is kept. */
  token: string;
}

/** Tenant ids are chosen by operators; keep them to characters that are safe in logs and URLs. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/** Issues a token for a tenant. Used by the CLI and by tests, so both go through the same code. */
@Injectable()
export class CreateApiTokenUseCase {
  constructor(private readonly tokens: ApiTokenRepository) {}

  async execute(command: CreateApiTokenCommand): Promise<CreatedApiToken> {
    if (!TENANT_ID_PATTERN.test(command.tenantId)) {
      throw new BadRequestException('tenant must be 1-100 letters, digits, dots, underscores or dashes');
    }
    const name = (command.name ?? 'default').slice(0, 200);
    const issued = issueToken();
    await this.tokens.insert({
      _id: issued.tokenId,
      tenantId: command.tenantId,
      name,
      secretHash: issued.secretHash,
      createdAt: new Date(),
      revokedAt: null,
    });
    return { tokenId: issued.tokenId, tenantId: command.tenantId, name, token: issued.token };
  }
}
