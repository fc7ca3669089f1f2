import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { API_TOKEN_MODEL, ApiTokenDocument } from './api-token.schema';

/** A token as an operator sees it: everything but its secret's hash. */
export type ApiTokenSummary = Omit<ApiTokenDocument, 'secretHash'>;

@Injectable()
export class ApiTokenRepository {
  constructor(@InjectModel(API_TOKEN_MODEL) private readonly tokens: Model<ApiTokenDocument>) {}

  /**
   * Authentication: the token id is the lookup key; the caller compares the secret hash in constant time.
   * Through the driver, like OwnedByIdReader.
   */
  async findById(tokenId: string): Promise<ApiTokenDocument | null> {
    return this.tokens.collection.findOne<ApiTokenDocument>({ _id: tokenId } as never);
  }

  async insert(token: ApiTokenDocument): Promise<void> {
    await this.tokens.collection.insertOne(token as never);
  }

  /**
   * Operators' listing (CLI), newest first: one tenant's through the (tenantId, createdAt) index, or
   * every tenant's. Tokens are few (issued by hand), so a scan of them all is fine.
   */
  async list(tenantId: string | undefined, limit: number): Promise<ApiTokenSummary[]> {
    return this.tokens.collection
      .find<ApiTokenSummary>(tenantId === undefined ? {} : { tenantId }, { projection: { secretHash: 0 } })
      .sort({ createdAt: -1, _id: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * Event intake from Kafka: a tenant exists once a token was issued for it (revoked or not), as tenants
   * are created only by issuing their first token. Served by the (tenantId, createdAt) index.
   */
  async tenantExists(tenantId: string): Promise<boolean> {
    return (await this.tokens.exists({ tenantId }).exec()) !== null;
  }

  async revoke(tokenId: string): Promise<boolean> {
    const result = await this.tokens.updateOne({ _id: tokenId, revokedAt: null }, { $set: { revokedAt: new Date() } });
    return result.modifiedCount === 1;
  }

  /**
   * Sets lastUsedAt unless it is already later than `unlessSince`, so processes accepting the same token
   * write it at most once per interval between them. By _id; the rest of the filter is checked on that row.
   */
  async recordUse(tokenId: string, usedAt: Date, unlessSince: Date): Promise<void> {
    await this.tokens.collection.updateOne(
      { _id: tokenId, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: unlessSince } }] } as never,
      { $set: { lastUsedAt: usedAt } },
    );
  }

  /** Start-up migration: tokens issued before scopes and expiry become full-scope tokens that never expire. */
  async giveScopeToOlderTokens(): Promise<number> {
    const result = await this.tokens.collection.updateMany({ scope: { $exists: false } } as never, {
      $set: { scope: 'full', expiresAt: null, lastUsedAt: null },
    });
    return result.modifiedCount;
  }
}
