import { Schema } from 'mongoose';

export const RATE_LIMIT_WINDOW_MODEL = 'RateLimitWindow';

/**
 * Hits counted against one rate limit (scope and key: a tenant's ingest, an address's refused tokens) in
 * one fixed window, summed over every API process. Written only by `$inc` upserts.
 */
export interface RateLimitWindowDocument {
  /** `<scope>:<window start, ms>:<key>`: every write and read is by _id (see rateLimitWindowId). */
  _id: string;
  scope: string;
  key: string;
  windowStart: Date;
  hits: number;
  /** When the first process counted a hit in it; the retention purge goes by it. */
  createdAt: Date;
}

export const RateLimitWindowSchema = new Schema<RateLimitWindowDocument>(
  {
    _id: { type: String, required: true },
    scope: { type: String, required: true },
    key: { type: String, required: true },
    windowStart: { type: Date, required: true },
    hits: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'rate_limit_windows', versionKey: false },
);
// Serves: the retention purge's walk over windows older than RATE_LIMIT_WINDOW_RETENTION_MS, oldest first.
RateLimitWindowSchema.index({ createdAt: 1 });

/** The key last, so whatever characters it holds (an IPv6 address, a tenant id) cannot make two ids collide. */
export function rateLimitWindowId(scope: string, windowStart: number, key: string): string {
  return `${scope}:${windowStart}:${key}`;
}
