import { Schema } from 'mongoose';

export const API_TOKEN_MODEL = 'ApiToken';

/** A bearer token. Only the SHA-256 of its secret part is stored. */
export interface ApiTokenDocument {
  _id: string;
  tenantId: string;
  name: string;
  secretHash: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export const ApiTokenSchema = new Schema<ApiTokenDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    name: { type: String, required: true },
    secretHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'api_tokens', versionKey: false },
);
// Serves: listing a tenant's tokens (CLI). Authentication looks tokens up by _id.
ApiTokenSchema.index({ tenantId: 1, createdAt: -1 });
