import { SecretCipher } from '../secret-encryption/secret-cipher';
import { SealedSecret, StoredWebhookSecret, WebhookSecret } from './webhook.schema';

/** What the API issued before secrets were encrypted (webhook-secret.ts in apps/api): read as it is. */
const LEGACY_PLAINTEXT = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/**
 * The one place webhook secrets are sealed for MongoDB and opened for signing. Each is sealed with the
 * webhook id as context, so a value copied onto another webhook fails to open instead of signing there.
 */
export function sealWebhookSecret(cipher: SecretCipher, webhookId: string, plaintext: string): SealedSecret {
  return cipher.seal(plaintext, webhookId) as SealedSecret;
}

export function sealWebhookSecrets(
  cipher: SecretCipher,
  webhookId: string,
  secrets: WebhookSecret[],
): StoredWebhookSecret[] {
  return secrets.map((entry) => ({ ...entry, secret: sealWebhookSecret(cipher, webhookId, entry.secret) }));
}

/** Plaintext secrets; throws SecretDecryptionError for a value no configured key opens. */
export function openWebhookSecrets(
  cipher: SecretCipher,
  webhookId: string,
  stored: StoredWebhookSecret[],
): WebhookSecret[] {
  return stored.map((entry) => ({
    ...entry,
    secret: isLegacyPlaintext(entry.secret) ? entry.secret : cipher.open(entry.secret, webhookId),
  }));
}

export function isLegacyPlaintext(stored: string): boolean {
  return LEGACY_PLAINTEXT.test(stored);
}
