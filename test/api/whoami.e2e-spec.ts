import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';

/** GET /v1/whoami: what a token authenticates as, behind the same guards as every /v1 route. */
describe('Who am I', () => {
  let api: ApiTestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    api = await startApiTestApp('whoami');
    tenant = await api.newTenant('acme');
  });
  afterAll(async () => api?.close());

  it('answers the token’s tenant, token id, scope and expiry, never its secret', async () => {
    const response = await api.http().get('/v1/whoami').set(tenant.auth).expect(200);
    expect(response.body).toEqual({
      success: true,
      data: { tenantId: tenant.tenantId, tokenId: tenant.tokenId, scope: 'full', expiresAt: null },
    });
    expect(response.text).not.toContain(tenant.token);
  });

  it('answers 401 without a token', async () => {
    const response = await api.http().get('/v1/whoami').expect(401);
    expect(response.body).toEqual({ message: 'Missing bearer token' });
  });

  it('refuses a token revoked through this API process at once, even one it has just accepted', async () => {
    const { RevokeApiTokenUseCase } =
      await import('../../apps/api/src/auth/usecases/revoke-api-token/revoke-api-token.usecase');
    const revoked = await api.newTenant();
    await api.http().get('/v1/whoami').set(revoked.auth).expect(200);
    await expect(api.app.get(RevokeApiTokenUseCase).execute({ tokenId: revoked.tokenId })).resolves.toBe('revoked');
    const response = await api.http().get('/v1/whoami').set(revoked.auth).expect(401);
    expect(response.body).toEqual({ message: 'Invalid or revoked API token' });
  });
});
