import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * API tokens look like `whk_<tokenId>_<secret>`: the token id (a UUID) is the lookup key, the secret
 * (32 random bytes, base64url) is stored only as its SHA-256. The format is public: never change it
 * without accepting both forms for a while.
 */
const TOKEN_PATTERN = /^whk_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  tokenId: string;
  /** The full bearer token; shown once, never stored. */
  token: string;
  secretHash: string;
}

export interface ParsedToken {
  tokenId: string;
  secret: string;
}

export function issueToken(): IssuedToken {
  const tokenId = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { tokenId, token: `whk_${tokenId}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseToken(token: string): ParsedToken | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { tokenId: match[1], secret: match[2] } : null;
}

/** SHA-256 is enough for 256-bit random secrets: there is nothing to brute-force, unlike passwords. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison, so response timing does not reveal how much of a guessed secret was right. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

export type BearerResult = { ok: true; token: string } | { ok: false; reason: string };

/** Reads `Authorization: Bearer <token>`; each way it can be wrong gets its own 401 message. */
export function readBearer(header: string | string[] | undefined): BearerResult {
  if (header === undefined || header === '') return { ok: false, reason: 'Missing bearer token' };
  if (Array.isArray(header)) return { ok: false, reason: 'Malformed Authorization header' };
  const [scheme, token, ...rest] = header.trim().split(/\s+/);
  if (scheme.toLowerCase() !== 'bearer')
    return { ok: false, reason: 'Authorization header must use the Bearer scheme' };
  if (!token || rest.length > 0) return { ok: false, reason: 'Malformed Authorization header' };
  return { ok: true, token };
}
