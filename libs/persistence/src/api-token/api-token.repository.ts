import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { API_TOKEN_MODEL, ApiTokenDocument } from './api-token.schema';

@Injectable()
export class ApiTokenRepository {
  constructor(@InjectModel(API_TOKEN_MODEL) private readonly tokens: Model<ApiTokenDocument>) {}

  /**
   * Authentication: the token id is the lookup key; the caller compares the secret hash in constant time.
   * Through the driver, like findOwnedById.
   */
  async findById(tokenId: string): Promise<ApiTokenDocument | null> {
    return this.tokens.collection.findOne<ApiTokenDocument>({ _id: tokenId } as never);
  }

  async insert(token: ApiTokenDocument): Promise<void> {
    await this.tokens.collection.insertOne(token as never);
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
}
