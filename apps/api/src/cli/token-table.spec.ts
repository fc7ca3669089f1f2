import { tokenTable } from './token-table';

describe('tokenTable', () => {
  it('aligns one row per token under the column titles, with never for what did not happen', () => {
    const table = tokenTable([
      {
        tokenId: '123e4567-e89b-42d3-a456-426614174000',
        tenantId: 'acme',
        name: 'ci',
        scope: 'read-only',
        status: 'active',
        createdAt: new Date('2026-12-01T10:00:00.123Z'),
        lastUsedAt: null,
        expiresAt: new Date('2027-01-01T00:00:00Z'),
        revokedAt: null,
      },
      {
        tokenId: 'abc',
        tenantId: 'globex-corporation',
        name: 'default',
        scope: 'full',
        status: 'revoked',
        createdAt: new Date('2026-11-01T10:00:00Z'),
        lastUsedAt: new Date('2026-11-02T10:00:00Z'),
        expiresAt: null,
        revokedAt: new Date('2026-11-03T10:00:00Z'),
      },
    ]);
    expect(table.split('\n')).toEqual([
      'ID                                    TENANT              NAME     SCOPE      STATUS   CREATED               LAST USED             EXPIRES',
      '123e4567-e89b-42d3-a456-426614174000  acme                ci       read-only  active   2026-12-01T10:00:00Z  never                 2027-01-01T00:00:00Z',
      'abc                                   globex-corporation  default  full       revoked  2026-11-01T10:00:00Z  2026-11-02T10:00:00Z  never',
    ]);
  });

  it('prints the titles alone when there is no token', () => {
    expect(tokenTable([])).toBe('ID  TENANT  NAME  SCOPE  STATUS  CREATED  LAST USED  EXPIRES');
  });
});
