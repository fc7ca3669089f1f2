import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/infra';
import { waitFor } from '../support/wait-for';
import { ApiTestApp, startApiTestApp } from './support/api-test-app';

const run = promisify(execFile);

interface ListedToken {
  tokenId: string;
  tenantId: string;
  scope: string;
  status: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/**
 * The operator's token commands (`npm run cli -- tokens ...`) as their own processes, on the database of
 * an API running in this test: a token the CLI creates works on the API as its scope and expiry say,
 * `tokens list` shows it (never its secret) with its last use, and `tokens revoke` ends it.
 */
describe('tokens CLI: list, create, revoke', () => {
  let api: ApiTestApp;
  const tenantId = `cli-${Date.now()}`;

  beforeAll(async () => {
    api = await startApiTestApp('tokens_cli');
  });
  afterAll(async () => api?.close());

  /** Against the API's database (startApiTestApp set MONGODB_URI for this process). */
  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', LOG_FILE: '' };
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/api/src/cli.ts', ...args],
        { cwd: REPO_ROOT, env, timeout: 120_000 },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  const listed = async (): Promise<ListedToken[]> => {
    const listing = await cli('tokens', 'list', '--tenant', tenantId, '--json');
    expect(listing.code).toBe(0);
    return JSON.parse(listing.stdout) as ListedToken[];
  };

  it('creates a read-only token that expires, which the API lets read and refuses writes; list shows it and its last use; revoke ends it', async () => {
    const created = await cli('tokens', 'create', '--tenant', tenantId, '--scope', 'read-only', '--expires-in', '30d');
    expect(created.code).toBe(0);
    const lines = created.stdout.trim().split('\n');
    const token = lines[lines.length - 1];
    expect(token).toMatch(/^whk_/);
    const tokenId = token.split('_')[1];
    expect(lines[0]).toMatch(
      new RegExp(`^Created token ${tokenId} \\("default"\\) for tenant ${tenantId}: read-only scope, expires 20`),
    );
    const auth = { Authorization: `Bearer ${token}` };

    const whoami = await api.http().get('/v1/whoami').set(auth).expect(200);
    expect(whoami.body.data).toMatchObject({ tenantId, tokenId, scope: 'read-only' });
    const expiresInDays = (Date.parse(whoami.body.data.expiresAt) - Date.now()) / 86_400_000;
    expect(expiresInDays).toBeGreaterThan(29.9);
    expect(expiresInDays).toBeLessThanOrEqual(30);
    await api.http().post('/v1/webhooks').set(auth).send({ url: 'http://127.0.0.1:9/hook' }).expect(403);

    // JSON: every column, never the secret nor its hash; the use above is recorded.
    const [entry] = await waitFor('the token listed with its last use', async () => {
      const tokens = await listed();
      return tokens[0]?.lastUsedAt ? tokens : undefined;
    });
    expect(entry).toMatchObject({
      tokenId,
      tenantId,
      scope: 'read-only',
      status: 'active',
      expiresAt: whoami.body.data.expiresAt,
    });
    expect(Date.parse(entry.createdAt)).toBeLessThanOrEqual(Date.parse(entry.lastUsedAt!));
    expect(Object.keys(entry)).not.toContain('secretHash');

    // The table, for all tenants: one aligned row with the same facts.
    const table = await cli('tokens', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID +TENANT +NAME +SCOPE +STATUS +CREATED +LAST USED +EXPIRES$/);
    const row = table.stdout.split('\n').find((line) => line.startsWith(tokenId));
    expect(row?.split(/ {2,}/)).toEqual([
      tokenId,
      tenantId,
      'default',
      'read-only',
      'active',
      entry.createdAt.replace(/\.\d{3}Z$/, 'Z'),
      entry.lastUsedAt!.replace(/\.\d{3}Z$/, 'Z'),
      entry.expiresAt!.replace(/\.\d{3}Z$/, 'Z'),
    ]);
    for (const output of [table.stdout, JSON.stringify(entry)]) expect(output).not.toContain(token.split('_')[2]);

    const revoked = await cli('tokens', 'revoke', tokenId);
    expect(revoked).toMatchObject({ code: 0, stdout: `Revoked token ${tokenId}.\n` });
    // This API process trusts a token it verified for up to 2 s.
    await waitFor('the API to refuse the revoked token', async () => {
      const response = await api.http().get('/v1/whoami').set(auth);
      return response.status === 401;
    });
    expect((await listed())[0]).toMatchObject({ tokenId, status: 'revoked' });
    expect(await cli('tokens', 'revoke', tokenId)).toMatchObject({
      code: 0,
      stdout: `Token ${tokenId} was already revoked.\n`,
    });
  });

  it('creates a full token that never expires by default', async () => {
    const created = await cli('tokens', 'create', '--tenant', tenantId, '--name', 'ci');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Created token .+ \("ci"\) for tenant .+: full scope, never expires\./);
    const token = created.stdout.trim().split('\n').pop()!;
    await api
      .http()
      .post('/v1/webhooks')
      .set('Authorization', `Bearer ${token}`)
      .send({ url: 'http://127.0.0.1:9/hook' })
      .expect(201);
  });

  it('says what is wrong with bad arguments and an unknown token, with a failing exit code', async () => {
    const badExpiry = await cli('tokens', 'create', '--tenant', tenantId, '--expires-at', '2020-01-01T00:00:00Z');
    expect(badExpiry.code).toBe(2);
    expect(badExpiry.stderr).toContain('--expires-at 2020-01-01T00:00:00Z is not in the future');
    const unknown = await cli('tokens', 'revoke', '00000000-0000-4000-8000-000000000000');
    expect(unknown).toMatchObject({ code: 1, stdout: 'No token 00000000-0000-4000-8000-000000000000.\n' });
  });
});
