import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';

const PARSED_BODIES = 'webhook_api_request_bodies_parsed_total';

/**
 * A /v1 request's token is checked before its JSON body is read: without a valid token, the API never
 * parses up to API_BODY_LIMIT_BYTES of JSON for the caller. Shown by the parser's own counter, not timing.
 */
describe('Authentication before the body is read', () => {
  let api: ApiTestApp;
  let tenant: TestTenant;
  let parsedBodies: () => Promise<number>;
  const eventOf = (bytes: number) => {
    const frame = JSON.stringify({ type: 'invoice.paid', payload: { note: '' } });
    return JSON.stringify({ type: 'invoice.paid', payload: { note: 'x'.repeat(bytes - frame.length) } });
  };
  /** 300 KiB: under the 320 KiB body limit. */
  const body300KiB = eventOf(300 * 1024);

  beforeAll(async () => {
    api = await startApiTestApp('auth_before_body');
    tenant = await api.newTenant();
    // After the app, which loads the configuration first.
    const { metricsRegistry } = await import('@app/observability');
    parsedBodies = async () => (await metricsRegistry.getSingleMetric(PARSED_BODIES)!.get()).values[0]?.value ?? 0;
  });
  afterAll(async () => api?.close());

  it.each([
    ['no token', {}, 'Missing bearer token'],
    [
      'an unknown token',
      { Authorization: `Bearer whk_${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}_${'A'.repeat(43)}` },
      'Invalid or revoked API token',
    ],
  ])(
    'answers a 300 KiB POST with %s 401 without parsing it, and closes the connection',
    async (_, headers, message) => {
      expect(body300KiB.length).toBe(300 * 1024);
      const before = await parsedBodies();

      const response = await api
        .http()
        .post('/v1/webhooks/events')
        .set(headers)
        .set('Content-Type', 'application/json')
        .set('Connection', 'keep-alive') // Node's client asks for close unless told
        .send(body300KiB)
        .expect(401);

      expect(response.body).toEqual({ message });
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.headers.connection).toBe('close');
      expect(await parsedBodies()).toBe(before);
    },
  );

  it('parses a large body once the token is accepted', async () => {
    const before = await parsedBodies();
    const response = await api
      .http()
      .post('/v1/webhooks/events')
      .set(tenant.auth)
      .set('Content-Type', 'application/json')
      .set('Connection', 'keep-alive')
      .send(eventOf(250 * 1024)) // the payload itself may be at most 256 KiB
      .expect(201);
    expect(response.body.success).toBe(true);
    expect(response.headers.connection).toBe('keep-alive');
    expect(await parsedBodies()).toBe(before + 1);
  });

  it('checks the token before the media type: a refused form body is a 401, not a 415', async () => {
    const before = await parsedBodies();
    const response = await api
      .http()
      .post('/v1/webhooks/events')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('type=invoice.paid')
      .expect(401);
    expect(response.body).toEqual({ message: 'Missing bearer token' });
    expect(await parsedBodies()).toBe(before);
  });
});
