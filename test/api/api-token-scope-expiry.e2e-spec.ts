import { sleep, waitFor } from '../support/wait-for';
import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';

/**
 * Token scope, expiry and last use, through the real HTTP stack: a read-only token reads and is refused
 * any write with 403, an expired token is refused with 401 saying when it expired (even by a process that
 * had just verified it), and a token's last use is recorded without a write per request.
 */
describe('API tokens: scope, expiry and last use', () => {
  let api: ApiTestApp;
  let createToken: (command: {
    tenantId: string;
    scope?: 'full' | 'read-only';
    expiresAt?: Date;
  }) => Promise<TestTenant>;
  let storedToken: (tenantId: string) => Promise<{ lastUsedAt: Date | null; scope: string; expiresAt: Date | null }>;

  beforeAll(async () => {
    api = await startApiTestApp('token_scope');
    const { CreateApiTokenUseCase } =
      await import('../../apps/api/src/auth/usecases/create-api-token/create-api-token.usecase');
    const { ListApiTokensUseCase } =
      await import('../../apps/api/src/auth/usecases/list-api-tokens/list-api-tokens.usecase');
    createToken = async (command) => {
      const created = await api.app.get(CreateApiTokenUseCase).execute({ name: 'e2e', ...command });
      return {
        tenantId: command.tenantId,
        tokenId: created.tokenId,
        token: created.token,
        auth: { Authorization: `Bearer ${created.token}` },
      };
    };
    storedToken = async (tenantId) => (await api.app.get(ListApiTokensUseCase).execute({ tenantId, limit: 1 }))[0];
  });
  afterAll(async () => api?.close());

  describe('a read-only token', () => {
    let full: TestTenant;
    let readOnly: TestTenant;
    beforeAll(async () => {
      full = await api.newTenant('scoped');
      readOnly = await createToken({ tenantId: full.tenantId, scope: 'read-only' });
    });

    it('reads: GET answers 200, and whoami shows its scope', async () => {
      const whoami = await api.http().get('/v1/whoami').set(readOnly.auth).expect(200);
      expect(whoami.body.data).toEqual({
        tenantId: full.tenantId,
        tokenId: readOnly.tokenId,
        scope: 'read-only',
        expiresAt: null,
      });
      await api.http().get('/v1/webhooks').set(readOnly.auth).expect(200);
      await api.http().head('/v1/webhooks').set(readOnly.auth).expect(200);
    });

    it('is refused every write with 403 and the reason, and nothing changes', async () => {
      const created = await api
        .http()
        .post('/v1/webhooks')
        .set(readOnly.auth)
        .send({ url: 'http://127.0.0.1:9/hook' })
        .expect(403);
      expect(created.body).toEqual({ message: 'This API token is read-only: it may only make GET and HEAD requests' });
      expect(created.headers['www-authenticate']).toBeUndefined();

      const event = await api
        .http()
        .post('/v1/webhooks/events')
        .set(readOnly.auth)
        .send({ type: 'invoice.paid', payload: { n: 1 } })
        .expect(403);
      expect(event.body.message).toMatch(/read-only/);

      // The tenant's full token sees nothing the read-only one tried to make.
      const webhooks = await api.http().get('/v1/webhooks').set(full.auth).expect(200);
      expect(webhooks.body.data.items).toEqual([]);
      const events = await api.http().get('/v1/webhooks/events').set(full.auth).expect(200);
      expect(events.body.data.items).toEqual([]);
    });

    it('leaves a full token of the same tenant free to write', async () => {
      await api.http().post('/v1/webhooks').set(full.auth).send({ url: 'http://127.0.0.1:9/hook' }).expect(201);
    });
  });

  it('refuses a token once it expires with 401 saying when, even right after this process verified it', async () => {
    const expiresAt = new Date(Date.now() + 1_500);
    const expiring = await createToken({ tenantId: `expiring-${Date.now()}`, expiresAt });
    const before = await api.http().get('/v1/whoami').set(expiring.auth).expect(200);
    expect(before.body.data).toMatchObject({ scope: 'full', expiresAt: expiresAt.toISOString() });

    await sleep(expiresAt.getTime() - Date.now() + 50);
    const after = await api.http().get('/v1/whoami').set(expiring.auth).expect(401);
    expect(after.body).toEqual({ message: `API token expired at ${expiresAt.toISOString()}` });
    expect(after.headers['www-authenticate']).toBe('Bearer');
  });

  it('says "invalid" rather than "expired" to a caller without the secret', async () => {
    const expired = await createToken({ tenantId: `expired-${Date.now()}`, expiresAt: new Date(Date.now() + 200) });
    await sleep(300);
    const guessed = `Bearer whk_${expired.tokenId}_${'A'.repeat(43)}`;
    const response = await api.http().get('/v1/whoami').set('Authorization', guessed).expect(401);
    expect(response.body).toEqual({ message: 'Invalid or revoked API token' });
  });

  it('records when a token was last used, without writing it on every request', async () => {
    const tenant = await api.newTenant('last-used');
    expect((await storedToken(tenant.tenantId)).lastUsedAt).toBeNull();

    const sentAt = Date.now();
    await api.http().get('/v1/whoami').set(tenant.auth).expect(200);
    const first = await waitFor(
      'lastUsedAt to be recorded',
      async () => (await storedToken(tenant.tenantId)).lastUsedAt ?? undefined,
    );
    expect(first.getTime()).toBeGreaterThanOrEqual(sentAt - 1_000);

    // Within the minute, more requests leave it as it is (one write per token per minute).
    for (let request = 0; request < 5; request += 1) {
      await api.http().get('/v1/whoami').set(tenant.auth).expect(200);
    }
    await sleep(300);
    expect((await storedToken(tenant.tenantId)).lastUsedAt).toEqual(first);
  });

  it('gives tokens stored before scopes and expiry full scope and no expiry at start-up', async () => {
    const persistence = await import('@app/persistence');
    const { issueToken } = await import('../../apps/api/src/auth/api-token-format');
    const { getConnectionToken } = await import('@nestjs/mongoose');
    const connection = api.app.get(getConnectionToken());
    const issued = issueToken();
    const tenantId = `older-${Date.now()}`;
    await connection.db.collection('api_tokens').insertOne({
      _id: issued.tokenId,
      tenantId,
      name: 'issued by an earlier release',
      secretHash: issued.secretHash,
      createdAt: new Date(),
      revokedAt: null,
    });
    await connection.db.collection('migrations').deleteOne({ _id: 'api-token-scope-and-expiry' });

    await api.app.get(persistence.SchemaMigrator).onModuleInit();

    expect(await storedToken(tenantId)).toMatchObject({ scope: 'full', expiresAt: null, lastUsedAt: null });
    const whoami = await api.http().get('/v1/whoami').set('Authorization', `Bearer ${issued.token}`).expect(200);
    expect(whoami.body.data).toMatchObject({ tenantId, scope: 'full', expiresAt: null });
    await api
      .http()
      .post('/v1/webhooks')
      .set('Authorization', `Bearer ${issued.token}`)
      .send({ url: 'http://127.0.0.1:9/hook' })
      .expect(201);
  });
});
