import { randomBytes } from 'node:crypto';

/** A secrets-list entry, stored (sealed) or not: rotation only moves expiry dates, it never reads a secret. */
interface SecretEntry<Secret extends string> {
  secret: Secret;
  createdAt: Date;
  expiresAt: Date | null;
}

/** Standard Webhooks format: `whsec_` + base64 of 32 random bytes (what receivers' libraries expect). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The secrets list after a rotation, newest first: the new secret, then every previous one still inside
 * its grace period (an already-expiring one keeps its earlier expiry). Expired entries are dropped so
 * the list cannot grow without bound.
 */
export function rotateSecrets<Secret extends string>(
  current: SecretEntry<Secret>[],
  secret: Secret,
  now: Date,
  graceMs: number,
): SecretEntry<Secret>[] {
  const graceEnd = new Date(now.getTime() + graceMs);
  const previous = current
    .map((entry) => ({
      ...entry,
      expiresAt: entry.expiresAt && entry.expiresAt < graceEnd ? entry.expiresAt : graceEnd,
    }))
    .filter((entry) => entry.expiresAt > now);
  return [{ secret, createdAt: now, expiresAt: null }, ...previous];
}
