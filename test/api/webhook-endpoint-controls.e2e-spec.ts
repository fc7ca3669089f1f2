import { getModelToken } from '@nestjs/mongoose';
import { Model } from 'mongoose';
// Types only: loading @app/persistence loads the configuration, which must wait for startApiTestApp's env.
import type { WebhookDocument } from '@app/persistence';
import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';
import { createWebhook } from './support/fixtures';

/** rateLimit, timeout and headers on create and update: validated, stored, shown, and described in OpenAPI. */
describe('Webhook endpoint controls', () => {
  let api: ApiTestApp;
  let tenant: TestTenant;
  let stored: Model<WebhookDocument>;

  beforeAll(async () => {
    api = await startApiTestApp('endpoint_controls', { DELIVERY_TIMEOUT: '20s' });
    const persistence = await import('@app/persistence');
    stored = api.app.get(getModelToken(persistence.WEBHOOK_MODEL));
    tenant = await api.newTenant();
  });
  afterAll(async () => api?.close());

  const storedWebhook = (webhookId: string) => stored.findById(webhookId).lean<WebhookDocument>().exec();
  const patch = (webhookId: string, body: object) =>
    api.http().patch(`/v1/webhooks/${webhookId}`).set(tenant.auth).send(body);

  it('creates a webhook with its controls, shows them, and stores the headers as a list', async () => {
    const headers = { Authorization: 'Bearer s3cr3t-token', 'X-Route.Region': 'eu west' };
    const created = await api
      .http()
      .post('/v1/webhooks')
      .set(tenant.auth)
      .send({ url: 'http://127.0.0.1:9/controls', rateLimit: 25, timeout: 4000, headers })
      .expect(201);
    const { webhookId } = created.body.data;
    expect(created.body.data).toMatchObject({ rateLimit: 25, timeout: 4000, headers });

    const fetched = await api.http().get(`/v1/webhooks/${webhookId}`).set(tenant.auth).expect(200);
    expect(fetched.body.data).toMatchObject({ rateLimit: 25, timeout: 4000, headers });
    const listed = await api.http().get('/v1/webhooks').set(tenant.auth).expect(200);
    expect(listed.body.data.items.find((item: { webhookId: string }) => item.webhookId === webhookId)).toMatchObject({
      rateLimit: 25,
      timeout: 4000,
      headers,
    });
    expect(await storedWebhook(webhookId)).toMatchObject({
      rateLimit: 25,
      timeoutMs: 4000,
      headers: [
        { name: 'Authorization', value: 'Bearer s3cr3t-token' },
        { name: 'X-Route.Region', value: 'eu west' },
      ],
    });
  });

  it('shows a webhook created without controls, or stored before they existed, as unlimited with none', async () => {
    const webhookId = await createWebhook(api, tenant);
    const fetched = await api.http().get(`/v1/webhooks/${webhookId}`).set(tenant.auth).expect(200);
    expect(fetched.body.data).toMatchObject({ rateLimit: null, timeout: null, headers: {} });

    await stored.collection.updateOne(
      { _id: webhookId as never },
      { $unset: { rateLimit: '', timeoutMs: '', headers: '' } },
    );
    const older = await api.http().get(`/v1/webhooks/${webhookId}`).set(tenant.auth).expect(200);
    expect(older.body.data).toMatchObject({ rateLimit: null, timeout: null, headers: {} });
  });

  it('updates the controls: absent leaves them, a value replaces them, null clears them', async () => {
    const created = await api
      .http()
      .post('/v1/webhooks')
      .set(tenant.auth)
      .send({ url: 'http://127.0.0.1:9/edit', rateLimit: 5, timeout: 2000, headers: { 'X-A': '1' } })
      .expect(201);
    const { webhookId } = created.body.data;

    const untouched = await patch(webhookId, { description: 'other field' }).expect(200);
    expect(untouched.body.data).toMatchObject({ rateLimit: 5, timeout: 2000, headers: { 'X-A': '1' } });

    const replaced = await patch(webhookId, { rateLimit: 7, headers: { 'X-B': '2' } }).expect(200);
    expect(replaced.body.data).toMatchObject({ rateLimit: 7, timeout: 2000, headers: { 'X-B': '2' } });

    const cleared = await patch(webhookId, { rateLimit: null, timeout: null, headers: null }).expect(200);
    expect(cleared.body.data).toMatchObject({ rateLimit: null, timeout: null, headers: {} });
    expect(await storedWebhook(webhookId)).toMatchObject({ rateLimit: null, timeoutMs: null, headers: [] });
  });

  const RATE = 'rateLimit must be an integer from 1 to 10000 (deliveries per second) or null';
  const TIMEOUT = 'timeout must be an integer of at least 1000 (milliseconds) or null';
  it.each([
    [{ rateLimit: 0 }, RATE],
    [{ rateLimit: 2.5 }, RATE],
    [{ rateLimit: '5' }, RATE],
    [{ rateLimit: 10_001 }, RATE],
    [{ timeout: 999 }, TIMEOUT],
    [{ timeout: 1500.5 }, TIMEOUT],
    [{ timeout: 20_001 }, "timeout must be at most 20000 (milliseconds, the service's DELIVERY_TIMEOUT)"],
    [{ headers: ['X-A: 1'] }, 'headers must be an object of header names to string values'],
    [{ headers: { 'Bad Name': 'x' } }, 'headers name "Bad Name" is not a valid HTTP header name'],
    [{ headers: { 'Webhook-Signature': 'v1,forged' } }, 'headers must not set Webhook-Signature: the service sets it'],
    [{ headers: { 'Content-Type': 'text/plain' } }, 'headers must not set Content-Type: the service sets it'],
    [{ headers: { Host: 'example.com' } }, 'headers must not set Host: the service sets it'],
    [{ headers: { Connection: 'close' } }, 'headers must not set Connection: it is a hop-by-hop header'],
    [
      { headers: { 'Proxy-Authorization': 'x' } },
      'headers must not set Proxy-Authorization: it is a hop-by-hop header',
    ],
    [
      { headers: { 'X-A': 'line\r\nX-B: injected' } },
      'headers value of X-A must be a non-empty string of printable ASCII characters',
    ],
    [{ headers: { 'X-A': 5 } }, 'headers value of X-A must be a non-empty string of printable ASCII characters'],
    [
      { headers: Object.fromEntries(Array.from({ length: 21 }, (_, index) => [`X-${index}`, 'v'])) },
      'headers may hold at most 20 headers',
    ],
    [{ headers: { 'X-Big': 'v'.repeat(5000) } }, 'headers must be at most 4096 bytes of names and values together'],
  ])('refuses %p on create and on update with 400', async (controls, message) => {
    const refused = await api
      .http()
      .post('/v1/webhooks')
      .set(tenant.auth)
      .send({ url: 'http://127.0.0.1:9/bad', ...controls })
      .expect(400);
    expect(refused.body).toEqual({ message });

    const webhookId = await createWebhook(api, tenant);
    expect((await patch(webhookId, controls).expect(400)).body).toEqual({ message });
  });

  it('describes the controls in OpenAPI, for create, update and the webhook shown', async () => {
    const document = (await api.http().get('/docs-json').expect(200)).body;
    const { CreateWebhookDto, UpdateWebhookDto, WebhookDto } = document.components.schemas;
    for (const schema of [CreateWebhookDto, UpdateWebhookDto]) {
      expect(schema.properties.rateLimit).toMatchObject({
        type: 'number',
        minimum: 1,
        maximum: 10_000,
        nullable: true,
      });
      expect(schema.properties.timeout).toMatchObject({ type: 'number', minimum: 1000, nullable: true });
      expect(schema.properties.headers).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
      expect(schema.required ?? []).not.toEqual(expect.arrayContaining(['rateLimit', 'timeout', 'headers']));
    }
    expect(WebhookDto.required).toEqual(expect.arrayContaining(['rateLimit', 'timeout', 'headers']));
  });
});
