import { hashSecret, issueToken, parseToken, readBearer, secretMatches } from './api-token-format';

describe('API token format', () => {
  it('issues tokens that parse back to their id and a secret matching the stored hash', () => {
    const issued = issueToken();
    const parsed = parseToken(issued.token);
    expect(parsed?.tokenId).toBe(issued.tokenId);
    expect(secretMatches(parsed!.secret, issued.secretHash)).toBe(true);
    expect(issued.token).toMatch(/^whk_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/);
  });

  it('stores a SHA-256 hex digest, never the secret', () => {
    const issued = issueToken();
    const secret = parseToken(issued.token)!.secret;
    expect(issued.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(issued.secretHash).toBe(hashSecret(secret));
    expect(issued.secretHash).not.toContain(secret);
  });

  it('rejects a wrong secret and a malformed stored hash', () => {
    const issued = issueToken();
    const other = parseToken(issueToken().token)!.secret;
    expect(secretMatches(other, issued.secretHash)).toBe(false);
    expect(secretMatches(parseToken(issued.token)!.secret, 'abc')).toBe(false);
  });

  it.each([
    '',
    'whk_',
    'whk_not-a-uuid_secret',
    `whk_${'0'.repeat(36)}_short`,
    'Bearer x',
    `xyz_${issueToken().token.slice(4)}`,
  ])('refuses the malformed token %p', (token) => expect(parseToken(token)).toBeNull());

  it('keeps underscores inside the secret', () => {
    const token = `whk_123e4567-e89b-42d3-a456-426614174000_${'_'.repeat(43)}`;
    expect(parseToken(token)).toEqual({ tokenId: '123e4567-e89b-42d3-a456-426614174000', secret: '_'.repeat(43) });
  });
});

describe('readBearer', () => {
  it('accepts the Bearer scheme case-insensitively', () => {
    expect(readBearer('Bearer abc')).toEqual({ ok: true, token: 'abc' });
    expect(readBearer('bearer abc')).toEqual({ ok: true, token: 'abc' });
  });

  it.each([
    [undefined, 'Missing bearer token'],
    ['', 'Missing bearer token'],
    ['Basic dXNlcjpwYXNz', 'Authorization header must use the Bearer scheme'],
    ['Bearer', 'Malformed Authorization header'],
    ['Bearer a b', 'Malformed Authorization header'],
  ])('explains what is wrong with %p', (header, reason) => {
    expect(readBearer(header)).toEqual({ ok: false, reason });
  });
});
