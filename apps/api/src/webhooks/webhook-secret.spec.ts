import { newSigningSecret, rotateSecrets } from './webhook-secret';

const HOUR = 3_600_000;

describe('webhook signing secrets', () => {
  it('are in Standard Webhooks format: whsec_ + base64 of 32 bytes', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
  });

  it('rotation puts the new secret first and lets the old one sign until the grace period ends', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    const old = { secret: 'whsec_old', createdAt: new Date('2024-01-01'), expiresAt: null };
    const rotated = rotateSecrets([old], 'whsec_new', now, 24 * HOUR);
    expect(rotated).toEqual([
      { secret: 'whsec_new', createdAt: now, expiresAt: null },
      { ...old, expiresAt: new Date('2025-01-02T00:00:00Z') },
    ]);
  });

  it('keeps an earlier expiry and drops secrets that already expired', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    const expiringSoon = { secret: 'whsec_a', createdAt: now, expiresAt: new Date(now.getTime() + HOUR) };
    const expired = { secret: 'whsec_b', createdAt: now, expiresAt: new Date(now.getTime() - HOUR) };
    const rotated = rotateSecrets([expiringSoon, expired], 'whsec_new', now, 24 * HOUR);
    expect(rotated.map((entry) => entry.secret)).toEqual(['whsec_new', 'whsec_a']);
    expect(rotated[1].expiresAt).toEqual(expiringSoon.expiresAt);
  });
});
