import { createHmac } from 'node:crypto';
import { WebhookSecret } from '@app/persistence';

const SECRET_PREFIX = 'whsec_';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, one per live secret, space-separated, so receivers keep verifying during a
 * secret rotation. Node's HMAC is used for speed; tests verify with the `standardwebhooks` library.
 */
export function signatureHeader(
  secrets: WebhookSecret[],
  messageId: string,
  timestampSeconds: number,
  body: string,
  now: Date,
): string {
  const toSign = `${messageId}.${timestampSeconds}.${body}`;
  return liveSecrets(secrets, now)
    .map((secret) => `v1,${createHmac('sha256', secretKey(secret.secret)).update(toSign).digest('base64')}`)
    .join(' ');
}

/** Secrets that still sign: the current one and rotated-out ones inside their grace period. */
export function liveSecrets<Secret extends Pick<WebhookSecret, 'expiresAt'>>(secrets: Secret[], now: Date): Secret[] {
  return secrets.filter((secret) => !secret.expiresAt || secret.expiresAt.getTime() > now.getTime());
}

const keyCache = new Map<string, Buffer>();

function secretKey(secret: string): Buffer {
  let key = keyCache.get(secret);
  if (!key) {
    key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}
