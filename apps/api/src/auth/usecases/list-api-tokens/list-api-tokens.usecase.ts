import { Injectable } from '@nestjs/common';
import { ApiTokenRepository, ApiTokenScope } from '@app/persistence';

export interface ListApiTokensCommand {
  /** All tenants' tokens when absent. */
  tenantId?: string;
  limit: number;
}

export type ApiTokenStatus = 'active' | 'expired' | 'revoked';

/** What an operator is shown of a token: never its secret nor the secret's hash. */
export interface ListedApiToken {
  tokenId: string;
  tenantId: string;
  name: string;
  scope: ApiTokenScope;
  status: ApiTokenStatus;
  createdAt: Date;
  /** To within a minute; null: never used. */
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** The tokens issued, newest first (the CLI's `tokens list`). */
@Injectable()
export class ListApiTokensUseCase {
  constructor(private readonly tokens: ApiTokenRepository) {}

  async execute(command: ListApiTokensCommand, now = new Date()): Promise<ListedApiToken[]> {
    const stored = await this.tokens.list(command.tenantId, command.limit);
    return stored.map((token) => {
      const expiresAt = token.expiresAt ?? null;
      const revokedAt = token.revokedAt ?? null;
      const status: ApiTokenStatus =
        revokedAt !== null ? 'revoked' : expiresAt !== null && expiresAt <= now ? 'expired' : 'active';
      return {
        tokenId: token._id,
        tenantId: token.tenantId,
        name: token.name,
        scope: token.scope ?? 'full',
        status,
        createdAt: token.createdAt,
        lastUsedAt: token.lastUsedAt ?? null,
        expiresAt,
        revokedAt,
      };
    });
  }
}
