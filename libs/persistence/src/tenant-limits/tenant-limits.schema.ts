import { Schema } from 'mongoose';

export const TENANT_LIMITS_MODEL = 'TenantLimits';

/** A tenant's own rate limits, set by an operator (CLI); null falls back to the configured default. */
export interface TenantLimitsDocument {
  /** The tenant id: one document per tenant, read by _id. */
  _id: string;
  /** Events per minute through POST /v1/webhooks/events. */
  ingestPerMinute: number | null;
  /** Requests per minute to every other /v1 route. */
  otherPerMinute: number | null;
  updatedAt: Date;
}

export const TenantLimitsSchema = new Schema<TenantLimitsDocument>(
  {
    _id: { type: String, required: true },
    ingestPerMinute: { type: Number, default: null },
    otherPerMinute: { type: Number, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'tenant_limits', versionKey: false },
);
