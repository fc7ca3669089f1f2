import { Schema } from 'mongoose';

export const API_TOKEN_MODEL = 'ApiToken';

/** What a token may do: `read-only` makes GET and HEAD requests only. Stored as is: never rename a value. */
export const API_TOKEN_SCOPES = ['full', 'read-only'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** A bearer token. Only the SHA-256 of its secret part is stored. */
export interface ApiTokenDocument {
  _id: string;
  tenantId: string;
  name: string;
  secretHash: string;
  createdAt: Date;
  revokedAt: Date | null;
  scope: ApiTokenScope;
  /** Refused from this instant on; null: never expires. */
  expiresAt: Date | null;
  /** When it was last accepted, to within a minute (see the API's TokenUseRecorder); null: never used. */
  lastUsedAt: Date | null;
}

export const ApiTokenSchema = new Schema<ApiTokenDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    name: { type: String, required: true },
    secretHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    scope: { type: String, enum: API_TOKEN_SCOPES, required: true },
    expiresAt: { type: Date, default: null },
    lastUsedAt: { type: Date, default: null },
  },
  { collection: 'api_tokens', versionKey: false },
);
// Serves: listing a tenant's tokens (CLI). Authentication looks tokens up by _id.
ApiTokenSchema.index({ tenantId: 1, createdAt: -1 });
