import { ApiTestApp, startApiTestApp } from './support/api-test-app';

/**
 * RATE_LIMIT_PER_MINUTE applies per tenant (all its tokens) across every route but event ingest, which
 * has RATE_LIMIT_INGEST_PER_MINUTE; public endpoints are not limited. AUTH_FAILURES_PER_MINUTE applies per
 * client address to requests whose token is refused. (Across processes: shared-rate-limit.e2e-spec.ts.)
 */
describe('Per-tenant rate limit', () => {
  const LIMIT = 3;
  const INGEST_LIMIT = 2;
  const AUTH_FAILURES = 4;
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp('rate_limit', {
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_INGEST_PER_MINUTE: String(INGEST_LIMIT),
      AUTH_FAILURES_PER_MINUTE: String(AUTH_FAILURES),
    });
  });
  afterAll(async () => api?.close());

  it('answers 429 with Retry-After once a tenant used up its minute, whatever the route', async () => {
    const tenant = await api.newTenant();
    await api.http().get('/v1/webhooks').set(tenant.auth).expect(200);
    await api.http().get('/v1/webhooks/events').set(tenant.auth).expect(200);
    await api
      .http()
      .post('/v1/webhooks/events/00000000-0000-4000-8000-000000000000/retry')
      .set(tenant.auth)
      .expect(404);

    const limited = await api.http().get('/v1/webhooks').set(tenant.auth).expect(429);

    expect(limited.body).toEqual({
      message: `Too many requests: this tenant's limit is ${LIMIT} requests per minute; see Retry-After`,
    });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(2 * 60);
    expect(limited.headers).toMatchObject({
      'ratelimit-limit': String(LIMIT),
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(retryAfter),
    });
  });

  it("counts a tenant's tokens together, and tenants apart", async () => {
    const { CreateApiTokenUseCase } =
      await import('../../apps/api/src/auth/usecases/create-api-token/create-api-token.usecase');
    const first = await api.newTenant();
    const sameTenant = await api.app.get(CreateApiTokenUseCase).execute({ tenantId: first.tenantId, name: 'second' });
    const secondToken = { Authorization: `Bearer ${sameTenant.token}` };
    for (let call = 0; call < LIMIT; call += 1) {
      const answer = await api
        .http()
        .get('/v1/webhooks')
        .set(call % 2 === 0 ? first.auth : secondToken)
        .expect(200);
      expect(answer.headers['ratelimit-remaining']).toBe(String(LIMIT - call - 1));
    }
    await api.http().get('/v1/webhooks').set(secondToken).expect(429);
    await api.http().get('/v1/webhooks').set(first.auth).expect(429);

    const other = await api.newTenant();
    await api.http().get('/v1/webhooks').set(other.auth).expect(200);
  });

  it('limits event ingest apart from the other routes', async () => {
    const tenant = await api.newTenant();
    for (let call = 0; call < LIMIT; call += 1) await api.http().get('/v1/webhooks').set(tenant.auth).expect(200);
    await api.http().get('/v1/webhooks').set(tenant.auth).expect(429);

    const event = { type: 'order.created', payload: { n: 1 } };
    for (let call = 0; call < INGEST_LIMIT; call += 1) {
      const created = await api.http().post('/v1/webhooks/events').set(tenant.auth).send(event).expect(201);
      expect(created.headers['ratelimit-policy']).toBe(`${INGEST_LIMIT};w=60`);
    }
    const limited = await api.http().post('/v1/webhooks/events').set(tenant.auth).send(event).expect(429);
    expect(limited.body).toEqual({
      message: `Too many requests: this tenant's limit is ${INGEST_LIMIT} events per minute; see Retry-After`,
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('does not limit the public endpoints', async () => {
    for (let call = 0; call < LIMIT * 2; call += 1) await api.http().get('/health').expect(200);
  });

  // Last: it uses up this address's failures for the minute.
  it('answers 429 to an address that keeps sending refused tokens, while valid tokens still get in', async () => {
    const tenant = await api.newTenant();
    const wrong = { Authorization: `Bearer ${tenant.token.slice(0, -4)}AAAA` };
    for (let attempt = 0; attempt < AUTH_FAILURES; attempt += 1) {
      const refused = await api.http().get('/v1/webhooks').set(wrong).expect(401);
      expect(refused.body).toEqual({ message: 'Invalid or revoked API token' });
    }

    const limited = await api.http().get('/v1/webhooks').set(wrong).expect(429);
    expect(limited.body).toEqual({ message: 'Too many requests with an invalid API token; try again later' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await api.http().get('/v1/webhooks').expect(429);
    // TRUST_PROXY is off by default: a client cannot pose as another address.
    await api.http().get('/v1/webhooks').set(wrong).set('X-Forwarded-For', '198.51.100.7').expect(429);

    await api.http().get('/v1/webhooks').set(tenant.auth).expect(200);
  });
});
