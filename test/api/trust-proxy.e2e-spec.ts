import { ApiTestApp, startApiTestApp } from './support/api-test-app';

/**
 * Behind a proxy (TRUST_PROXY), the refused-token limit counts each client by the address the proxy
 * put in X-Forwarded-For, not by the proxy's own. (Without TRUST_PROXY the header is ignored: see
 * rate-limit.e2e-spec.ts.) The tests' connections come from loopback, the proxy trusted here.
 */
describe('Client addresses behind a trusted proxy', () => {
  const AUTH_FAILURES = 2;
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp('trust_proxy', {
      TRUST_PROXY: 'loopback',
      AUTH_FAILURES_PER_MINUTE: String(AUTH_FAILURES),
    });
  });
  afterAll(async () => api?.close());

  const refusedFrom = (forwardedFor: string) =>
    api.http().get('/v1/webhooks').set('X-Forwarded-For', forwardedFor).set('Authorization', 'Bearer wrong');

  it('limits two clients behind the proxy separately', async () => {
    for (let attempt = 0; attempt < AUTH_FAILURES; attempt += 1) await refusedFrom('203.0.113.10').expect(401);
    const limited = await refusedFrom('203.0.113.10').expect(429);
    expect(limited.body).toEqual({ message: 'Too many requests with an invalid API token; try again later' });

    await refusedFrom('203.0.113.20').expect(401);
  });

  it('takes the address the proxy appended, not one the client wrote before it', async () => {
    for (let attempt = 0; attempt < AUTH_FAILURES; attempt += 1) await refusedFrom('203.0.113.30').expect(401);
    // Only loopback is trusted, so the client's own entry (left of the proxy's) changes nothing.
    await refusedFrom('198.51.100.1, 203.0.113.30').expect(429);
  });
});
