import { randomBytes } from 'node:crypto';
import { parseSecretKey, SecretCipher, SecretDecryptionError, SecretKeyRing, secretKeyId } from './secret-cipher';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

describe('SecretCipher', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const cipher = new SecretCipher(new SecretKeyRing(newKey, [oldKey]));

  it('round-trips a value, stored as v1:<key id>:<iv>:<data> without the plaintext', () => {
    const stored = cipher.seal(SECRET, 'wh-1');

    expect(stored).toMatch(/^v1:[0-9a-f]{16}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(SECRET.slice('whsec_'.length));
    expect(stored).not.toContain('whsec_');
    expect(cipher.open(stored, 'wh-1')).toBe(SECRET);
  });

  it('records the current key id, a short hash of the key', () => {
    const stored = cipher.seal(SECRET, 'wh-1');

    expect(SecretCipher.keyIdOf(stored)).toBe(secretKeyId(newKey));
    expect(cipher.currentKeyId).toBe(secretKeyId(newKey));
    expect(secretKeyId(newKey)).toBe(secretKeyId(Buffer.from(newKey)));
    expect(secretKeyId(newKey)).not.toBe(secretKeyId(oldKey));
    expect(SecretCipher.keyIdOf(SECRET)).toBeNull();
  });

  it('draws a fresh 96-bit IV for every value', () => {
    const ivs = new Set(Array.from({ length: 50 }, () => cipher.seal(SECRET, 'wh-1').split(':')[2]));

    expect(ivs.size).toBe(50);
    expect(Buffer.from([...ivs][0], 'base64url')).toHaveLength(12);
  });

  it('opens values sealed under an older key of the ring', () => {
    const underOld = new SecretCipher(new SecretKeyRing(oldKey)).seal(SECRET, 'wh-1');

    expect(SecretCipher.keyIdOf(underOld)).toBe(secretKeyId(oldKey));
    expect(cipher.open(underOld, 'wh-1')).toBe(SECRET);
  });

  it('fails loudly with a key it does not have, naming the key id and the setting', () => {
    const elsewhere = new SecretCipher(new SecretKeyRing(randomBytes(32))).seal(SECRET, 'wh-1');

    expect(() => cipher.open(elsewhere, 'wh-1')).toThrow(SecretDecryptionError);
    expect(() => cipher.open(elsewhere, 'wh-1')).toThrow(
      new RegExp(`key id ${SecretCipher.keyIdOf(elsewhere)}, which is not configured.*SECRETS_DECRYPTION_KEYS`),
    );
  });

  it('fails loudly when the key id names a key that did not seal the value', () => {
    const stored = cipher.seal(SECRET, 'wh-1');
    const relabelled = stored.replace(secretKeyId(newKey), secretKeyId(oldKey));

    expect(() => cipher.open(relabelled, 'wh-1')).toThrow(/failed authentication/);
  });

  it.each([
    ['a flipped ciphertext byte', (parts: string[]) => [parts[0], parts[1], parts[2], flipFirstByte(parts[3])]],
    ['a flipped IV byte', (parts: string[]) => [parts[0], parts[1], flipFirstByte(parts[2]), parts[3]]],
    ['a cut-off tag', (parts: string[]) => [parts[0], parts[1], parts[2], parts[3].slice(0, -4)]],
  ])('fails loudly on %s', (_what, tamper) => {
    const tampered = tamper(cipher.seal(SECRET, 'wh-1').split(':')).join(':');

    expect(() => cipher.open(tampered, 'wh-1')).toThrow(SecretDecryptionError);
  });

  it('fails loudly on a value copied onto another document', () => {
    expect(() => cipher.open(cipher.seal(SECRET, 'wh-1'), 'wh-2')).toThrow(/failed authentication/);
  });

  it.each([['whsec_plain'], ['v2:0123456789abcdef:AAAAAAAAAAAAAAAA:AAAA'], ['']])(
    'refuses %p, which is not in the stored form',
    (value) => {
      expect(() => cipher.open(value, 'wh-1')).toThrow(/Not an encrypted value/);
    },
  );
});

describe('parseSecretKey', () => {
  it('takes base64 of exactly 32 bytes', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(`${key.toString('base64')}\n`, 'X')).toEqual(key);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('base64')],
    ['not base64', '!'.repeat(44)],
    ['base64url', Buffer.alloc(32, 0xfb).toString('base64url')],
  ])('refuses a key that is %s, naming where it came from', (_what, text) => {
    expect(() => parseSecretKey(text, 'SECRETS_ENCRYPTION_KEY')).toThrow(
      /^SECRETS_ENCRYPTION_KEY must be the base64 of exactly 32 bytes/,
    );
  });
});

function flipFirstByte(base64url: string): string {
  const bytes = Buffer.from(base64url, 'base64url');
  bytes[0] ^= 0x01;
  return bytes.toString('base64url');
}
