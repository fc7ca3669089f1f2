import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';

/** The production default: ALLOW_HTTP_WEBHOOKS is off, so a webhook URL must be https. */
describe('Webhook URLs without ALLOW_HTTP_WEBHOOKS', () => {
  let api: ApiTestApp;
  let tenant: TestTenant;

  beforeAll(async () => {
    api = await startApiTestApp('https_only', { ALLOW_HTTP_WEBHOOKS: 'false' });
    tenant = await api.newTenant();
  });
  afterAll(async () => api?.close());

  it('refuses http on create and on update, and takes https', async () => {
    const refused = await api
      .http()
      .post('/v1/webhooks')
      .set(tenant.auth)
      .send({ url: 'http://example.com/hook' })
      .expect(400);
    expect(refused.body).toEqual({ message: 'url must use https' });

    const created = await api
      .http()
      .post('/v1/webhooks')
      .set(tenant.auth)
      .send({ url: 'https://example.com/hook' })
      .expect(201);
    const { webhookId } = created.body.data;
    expect(created.body.data).toMatchObject({ url: 'https://example.com/hook', active: true });

    const downgraded = await api
      .http()
      .patch(`/v1/webhooks/${webhookId}`)
      .set(tenant.auth)
      .send({ url: 'http://example.com/hook' })
      .expect(400);
    expect(downgraded.body).toEqual({ message: 'url must use https' });
    const unchanged = await api.http().get(`/v1/webhooks/${webhookId}`).set(tenant.auth).expect(200);
    expect(unchanged.body.data.url).toBe('https://example.com/hook');
  });
});
