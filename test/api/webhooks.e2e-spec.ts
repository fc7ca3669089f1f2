import { getModelToken } from '@nestjs/mongoose';
import { Model } from 'mongoose';
// Types only: loading @app/persistence loads the configuration, which must wait for startApiTestApp's env.
import type { SecretCipher, WebhookDocument, WebhookRepository } from '@app/persistence';
import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';
import { createWebhook, UNKNOWN_ID } from './support/fixtures';

describe('Webhooks', () => {
  let api: ApiTestApp;
  let tenant: TestTenant;
  let stored: Model<WebhookDocument>;
  let repository: WebhookRepository;
  let asTenantId: (typeof import('@app/persistence'))['asTenantId'];
  let openWebhookSecrets: (typeof import('@app/persistence'))['openWebhookSecrets'];
  let cipher: SecretCipher;

  beforeAll(async () => {
    api = await startApiTestApp('webhooks', { SECRET_ROTATION_GRACE: '1h' });
    const persistence = await import('@app/persistence');
    asTenantId = persistence.asTenantId;
    openWebhookSecrets = persistence.openWebhookSecrets;
    cipher = api.app.get(persistence.SecretCipher);
    stored = api.app.get(getModelToken(persistence.WEBHOOK_MODEL));
    repository = api.app.get(persistence.WebhookRepository);
    tenant = await api.newTenant();
  });
  afterAll(async () => api?.close());

  const storedWebhook = (webhookId: string) => stored.findById(webhookId).lean<WebhookDocument>().exec();
  /** The stored secrets as the dispatcher opens them to sign (MongoDB holds them encrypted). */
  const storedSecrets = async (webhookId: string) => {
    const webhook = (await storedWebhook(webhookId))!;
    return openWebhookSecrets(cipher, webhookId, webhook.secrets);
  };

  it('creates a webhook and shows its secret only in the create response', async () => {
    const created = await api
      .http()
      .post('/v1/webhooks')
      .set(tenant.auth)
      .send({ url: 'http://127.0.0.1:9/orders', eventTypes: ['order.created'], description: 'Orders', fifo: true })
      .expect(201);

    const { webhookId, secret } = created.body.data;
    expect(created.body).toEqual({
      success: true,
      data: {
        webhookId,
        url: 'http://127.0.0.1:9/orders',
        eventTypes: ['order.created'],
        description: 'Orders',
        active: true,
        fifo: true,
        rateLimit: null,
        timeout: null,
        headers: {},
        disabledReason: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      },
    });
    expect((await storedSecrets(webhookId)).map((entry) => entry.secret)).toEqual([secret]);

    const fetched = await api.http().get(`/v1/webhooks/${webhookId}`).set(tenant.auth).expect(200);
    const { secret: _secret, ...withoutSecret } = created.body.data;
    expect(fetched.body).toEqual({ success: true, data: withoutSecret });
    const listed = await api.http().get('/v1/webhooks').set(tenant.auth).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
  });

  it.each([
    [{}, 'url must be an absolute http(s) URL without credentials'],
    [{ url: 'not a url' }, 'url must be an absolute http(s) URL without credentials'],
    [{ url: 'ftp://example.com/x' }, 'url must be an absolute http(s) URL without credentials'],
    [{ url: 'https://user:pw@example.com/x' }, 'url must be an absolute http(s) URL without credentials'],
    [{ url: 'https://example.com', eventTypes: 'order.created' }, 'eventTypes must be an array of event types'],
    [
      { url: 'https://example.com', eventTypes: ['bad type'] },
      'each eventTypes entry must be 1-128 characters of letters, digits and _ . : -',
    ],
    [{ url: 'https://example.com', active: 'yes' }, 'active must be a boolean'],
    [{ url: 'https://example.com', secret: 'whsec_mine' }, 'property secret should not exist'],
  ])('rejects the webhook %p', async (body, message) => {
    const response = await api.http().post('/v1/webhooks').set(tenant.auth).send(body).expect(400);
    expect(response.body).toEqual({ message });
  });

  it('updates fields, refuses null, and re-enabling clears why it was disabled', async () => {
    const webhookId = await createWebhook(api, tenant);
    // As the dispatcher records a 410 and then a failure streak.
    const outcome = { tenantId: asTenantId(tenant.tenantId), webhookId, success: false, at: new Date() };
    await repository.applyHealth([{ ...outcome, disableReason: 'The endpoint answered 410 Gone' }]);
    await repository.applyHealth([{ ...outcome, disableReason: null }]);
    const disabled = await api.http().get(`/v1/webhooks/${webhookId}`).set(tenant.auth).expect(200);
    expect(disabled.body.data).toMatchObject({ active: false, disabledReason: 'The endpoint answered 410 Gone' });

    const patched = await api
      .http()
      .patch(`/v1/webhooks/${webhookId}`)
      .set(tenant.auth)
      .send({ active: true, description: 'back', eventTypes: [] })
      .expect(200);
    expect(patched.body.data).toMatchObject({
      webhookId,
      active: true,
      disabledReason: null,
      description: 'back',
      eventTypes: [],
    });
    expect(await storedWebhook(webhookId)).toMatchObject({ failingSince: null, disabledAt: null });

    const nulled = await api.http().patch(`/v1/webhooks/${webhookId}`).set(tenant.auth).send({ url: null }).expect(400);
    expect(nulled.body).toEqual({ message: 'url must be an absolute http(s) URL without credentials' });

    const off = await api
      .http()
      .patch(`/v1/webhooks/${webhookId}`)
      .set(tenant.auth)
      .send({ active: false })
      .expect(200);
    expect(off.body.data).toMatchObject({ active: false, disabledReason: 'Disabled through the API' });
  });

  it('rotates the secret, keeping the previous one until the grace period ends', async () => {
    const created = await api
      .http()
      .post('/v1/webhooks')
      .set(tenant.auth)
      .send({ url: 'http://127.0.0.1:9/r' })
      .expect(201);
    const { webhookId, secret: original } = created.body.data;

    const before = Date.now();
    const rotated = await api.http().post(`/v1/webhooks/${webhookId}/secret/rotate`).set(tenant.auth).expect(200);

    const { secret, previousSecretExpiresAt } = rotated.body.data;
    expect(rotated.body).toEqual({ success: true, data: { webhookId, secret, previousSecretExpiresAt } });
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(original);
    const graceEnd = Date.parse(previousSecretExpiresAt);
    expect(graceEnd - before).toBeGreaterThanOrEqual(3_600_000 - 1_000);
    expect(graceEnd - before).toBeLessThanOrEqual(3_600_000 + 5_000);
    const secrets = await storedSecrets(webhookId);
    expect(secrets.map((entry) => [entry.secret, entry.expiresAt?.toISOString() ?? null])).toEqual([
      [secret, null],
      [original, previousSecretExpiresAt],
    ]);
  });

  it('pages through webhooks newest first', async () => {
    const pager = await api.newTenant();
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push(await createWebhook(api, pager));
    const first = await api.http().get('/v1/webhooks?limit=3').set(pager.auth).expect(200);
    const second = await api
      .http()
      .get(`/v1/webhooks?limit=3&cursor=${first.body.data.nextCursor}`)
      .set(pager.auth)
      .expect(200);
    const seen = [...first.body.data.items, ...second.body.data.items].map(
      (item: { webhookId: string }) => item.webhookId,
    );
    expect(seen).toEqual([...ids].reverse());
    expect(second.body.data.nextCursor).toBeNull();
  });

  it('deletes a webhook for good', async () => {
    const webhookId = await createWebhook(api, tenant);
    const deleted = await api.http().delete(`/v1/webhooks/${webhookId}`).set(tenant.auth).expect(200);
    expect(deleted.body).toEqual({ success: true, data: { webhookId, deleted: true } });
    expect(await storedWebhook(webhookId)).toBeNull();
    const again = await api.http().delete(`/v1/webhooks/${webhookId}`).set(tenant.auth).expect(404);
    expect(again.body).toEqual({ message: 'Webhook not found' });
  });

  it('answers 404 for unknown webhooks and 400 for bad ids on every route', async () => {
    const routes = [
      (id: string) => api.http().get(`/v1/webhooks/${id}`),
      (id: string) => api.http().patch(`/v1/webhooks/${id}`).send({ description: 'x' }),
      (id: string) => api.http().delete(`/v1/webhooks/${id}`),
      (id: string) => api.http().post(`/v1/webhooks/${id}/secret/rotate`),
    ];
    for (const route of routes) {
      expect((await route(UNKNOWN_ID).set(tenant.auth).expect(404)).body).toEqual({ message: 'Webhook not found' });
      expect((await route('12').set(tenant.auth).expect(400)).body).toEqual({
        message: 'webhookId must be a valid UUID',
      });
    }
  });
});
