import { BadRequestException, Injectable } from '@nestjs/common';
import { API_TOKEN_SCOPES, ApiTokenRepository, ApiTokenScope } from '@app/persistence';
import { issueToken } from '../../api-token-format';

export interface CreateApiTokenCommand {
  tenantId: string;
  name?: string;
  /** Default `full`. */
  scope?: ApiTokenScope;
  /** Refused from then on; default never. */
  expiresAt?: Date;
}

export interface CreatedApiToken {
  tokenId: string;
  tenantId: string;
  name: string;
  scope: ApiTokenScope;
  expiresAt: Date | null;
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
    const scope = command.scope ?? 'full';
    if (!API_TOKEN_SCOPES.includes(scope)) {
      throw new BadRequestException(`scope must be one of ${API_TOKEN_SCOPES.join(', ')}`);
    }
    const createdAt = new Date();
    const expiresAt = command.expiresAt ?? null;
    if (expiresAt !== null && !(expiresAt.getTime() > createdAt.getTime())) {
      throw new BadRequestException('the expiry must be a valid instant in the future');
    }
    const name = (command.name ?? 'default').slice(0, 200);
    const issued = issueToken();
    await this.tokens.insert({
      _id: issued.tokenId,
      tenantId: command.tenantId,
      name,
      secretHash: issued.secretHash,
      createdAt,
      revokedAt: null,
      scope,
      expiresAt,
      lastUsedAt: null,
    });
    return { tokenId: issued.tokenId, tenantId: command.tenantId, name, scope, expiresAt, token: issued.token };
  }
}
