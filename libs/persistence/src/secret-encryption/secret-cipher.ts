import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Stored form of an encrypted value: `v1:<key id>:<iv>:<ciphertext + GCM tag>`, both base64url. The
 * version says how to read the rest; the key id picks the decryption key, so older keys keep working
 * while `secrets reencrypt` moves values to the current one. Wire format: never change it in place, add v2.
 */
const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
/** 96 bits, GCM's native IV size; random per value, so one key can seal far more values than we hold. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const STORED = /^v1:([0-9a-f]{16}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]+)$/;
/** Plaintexts opened per process, keyed by their authenticated stored form: the dispatcher reads every batch. */
const CACHE_LIMIT = 10_000;

/** Decryption that must not go on: wrong or missing key, altered value, unknown format. */
export class SecretDecryptionError extends Error {
  override readonly name = 'SecretDecryptionError';
}

/**
 * A key's id: a short hash of the key itself, so it is never configured by hand and two processes with the
 * same key agree on it. Domain-separated, so the id is not a plain hash of the key.
 */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update('webhook-secrets-key-id:').update(key).digest('hex').slice(0, 16);
}

/** A key from its base64 text (what `openssl rand -base64 32` prints); `source` names it in the error. */
export function parseSecretKey(base64: string, source: string): Buffer {
  const text = base64.trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== KEY_BYTES || key.toString('base64') !== text) {
    throw new Error(`${source} must be the base64 of exactly ${KEY_BYTES} bytes (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}

/** The current key, which seals, and older keys that may still open values sealed under them. */
export class SecretKeyRing {
  readonly currentId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(current: Buffer, older: Buffer[] = []) {
    for (const key of [current, ...older]) {
      if (key.length !== KEY_BYTES) throw new Error(`An encryption key must be ${KEY_BYTES} bytes`);
      this.keys.set(secretKeyId(key), key);
    }
    this.currentId = secretKeyId(current);
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  key(id: string): Buffer | undefined {
    return this.keys.get(id);
  }
}

/**
 * AES-256-GCM for values at rest. `context` (e.g. the webhook id) is authenticated but not stored, so a
 * value copied onto another document does not open there.
 */
export class SecretCipher {
  private readonly opened = new Map<string, string>();

  constructor(readonly keys: SecretKeyRing) {}

  get currentKeyId(): string {
    return this.keys.currentId;
  }

  seal(plaintext: string, context: string): string {
    const keyId = this.keys.currentId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys.key(keyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(keyId, context));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}:${keyId}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
  }

  /** The plaintext, or a SecretDecryptionError: never a guess. */
  open(stored: string, context: string): string {
    const cacheKey = `${context}\n${stored}`;
    const cached = this.opened.get(cacheKey);
    if (cached !== undefined) return cached;
    const plaintext = this.decrypt(stored, context);
    if (this.opened.size >= CACHE_LIMIT) this.opened.clear();
    this.opened.set(cacheKey, plaintext);
    return plaintext;
  }

  /** The key id of a stored value, or null when it is not in the stored form (e.g. a legacy plaintext). */
  static keyIdOf(stored: string): string | null {
    return STORED.exec(stored)?.[1] ?? null;
  }

  private decrypt(stored: string, context: string): string {
    const match = STORED.exec(stored);
    if (!match) throw new SecretDecryptionError(`Not an encrypted value (expected ${VERSION}:<key id>:<iv>:<data>)`);
    const [, keyId, ivText, dataText] = match;
    const key = this.keys.key(keyId);
    if (!key) {
      throw new SecretDecryptionError(
        `Value encrypted under key id ${keyId}, which is not configured (known: ${this.keys.ids.join(', ')}); ` +
          'add that key to SECRETS_DECRYPTION_KEYS',
      );
    }
    const data = Buffer.from(dataText, 'base64url');
    if (data.length < TAG_BYTES) throw new SecretDecryptionError(`Value under key id ${keyId} is truncated`);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(ivText, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(additionalData(keyId, context));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretDecryptionError(
        `Value under key id ${keyId} failed authentication: it was altered, or belongs to another document`,
      );
    }
  }
}

function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}:${keyId}:${context}`, 'utf8');
}
