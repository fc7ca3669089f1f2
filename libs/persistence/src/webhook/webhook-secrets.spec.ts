import { randomBytes } from 'node:crypto';
import { SecretCipher, SecretDecryptionError, SecretKeyRing } from '../secret-encryption/secret-cipher';
import { isLegacyPlaintext, openWebhookSecrets, sealWebhookSecrets } from './webhook-secrets';
import { SealedSecret } from './webhook.schema';

describe('webhook secrets at rest', () => {
  const cipher = new SecretCipher(new SecretKeyRing(randomBytes(32)));
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const createdAt = new Date('2030-01-01T00:00:00.000Z');
  const expiresAt = new Date('2030-01-02T00:00:00.000Z');

  it('seals every entry for its webhook and opens them again, dates untouched', () => {
    const sealed = sealWebhookSecrets(cipher, 'wh-1', [
      { secret, createdAt, expiresAt: null },
      { secret: 'whsec_b2xk', createdAt, expiresAt },
    ]);

    expect(JSON.stringify(sealed)).not.toContain('whsec_');
    expect(sealed.map((entry) => [entry.createdAt, entry.expiresAt])).toEqual([
      [createdAt, null],
      [createdAt, expiresAt],
    ]);
    expect(openWebhookSecrets(cipher, 'wh-1', sealed).map((entry) => entry.secret)).toEqual([secret, 'whsec_b2xk']);
    expect(() => openWebhookSecrets(cipher, 'wh-2', sealed)).toThrow(SecretDecryptionError);
  });

  it('reads a plaintext secret stored before encryption as it is, until the migration seals it', () => {
    const legacy = [{ secret: secret as SealedSecret, createdAt, expiresAt: null }];

    expect(isLegacyPlaintext(secret)).toBe(true);
    expect(openWebhookSecrets(cipher, 'wh-1', legacy)).toEqual([{ secret, createdAt, expiresAt: null }]);
  });

  it('refuses anything else that is not sealed', () => {
    const garbage = [{ secret: 'whsec_ not base64' as SealedSecret, createdAt, expiresAt: null }];

    expect(isLegacyPlaintext('whsec_ not base64')).toBe(false);
    expect(() => openWebhookSecrets(cipher, 'wh-1', garbage)).toThrow(/Not an encrypted value/);
  });
});
