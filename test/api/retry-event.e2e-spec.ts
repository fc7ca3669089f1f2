import { randomUUID } from 'node:crypto';
import { DeliveryTrigger } from '@app/contracts';
import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';
import { CommandReader } from './support/command-reader';
import { createEvent, createWebhook, UNKNOWN_ID } from './support/fixtures';
import { sleep } from '../support/wait-for';

/** POST /v1/webhooks/events/{eventId}/retry: every row of the product's status table, with exact bodies. */
describe('Retry event delivery', () => {
  let api: ApiTestApp;
  let commands: CommandReader;
  let tenant: TestTenant;

  beforeAll(async () => {
    api = await startApiTestApp('retry_event', { API_BODY_LIMIT_BYTES: '4096' });
    commands = await new CommandReader().start();
    tenant = await api.newTenant('acme');
  });
  afterAll(async () => {
    await commands?.stop();
    await api?.close();
  });

  const retry = (eventId: string) => api.http().post(`/v1/webhooks/events/${eventId}/retry`);

  describe('200', () => {
    it('retries to every active subscribed webhook when the body is absent, and publishes one manual command each', async () => {
      const paid = await createWebhook(api, tenant, { eventTypes: ['invoice.paid'] });
      const all = await createWebhook(api, tenant);
      await createWebhook(api, tenant, { eventTypes: ['invoice.voided'] });
      await createWebhook(api, tenant, { active: false });
      const eventId = await createEvent(api, tenant, 'invoice.paid');
      await commands.forEvent(eventId, 2);

      const response = await retry(eventId).set(tenant.auth).expect(200);

      expect(response.body).toEqual({
        success: true,
        data: { eventId, webhookCount: 2, message: 'Event queued for retry to 2 webhook(s)' },
      });
      const published = await commands.forEvent(eventId, 4);
      const manual = published.filter((read) => read.command.trigger === DeliveryTrigger.Manual);
      expect(manual.map((read) => read.command.webhookId).sort()).toEqual([paid, all].sort());
      for (const { key, command } of manual) {
        expect(key).toBe(eventId);
        expect(command).toMatchObject({ version: 1, eventId, requestedBy: tenant.tokenId });
        expect(Date.parse(command.requestedAt!)).not.toBeNaN();
      }
      const commandIds = published.map((read) => read.command.commandId);
      expect(new Set(commandIds).size).toBe(commandIds.length);
    });

    it.each([
      ['an empty JSON body', (request: ReturnType<typeof retry>) => request.set('Content-Type', 'application/json')],
      ['{}', (request: ReturnType<typeof retry>) => request.send({})],
    ])('treats %s like no body', async (_label, withBody) => {
      const other = await api.newTenant();
      await createWebhook(api, other);
      const eventId = await createEvent(api, other);
      const response = await withBody(retry(eventId).set(other.auth)).expect(200);
      expect(response.body.data).toEqual({
        eventId,
        webhookCount: 1,
        message: 'Event queued for retry to 1 webhook(s)',
      });
    });

    it('retries to only the named webhook, even one not subscribed to the type', async () => {
      const target = await createWebhook(api, tenant, { eventTypes: ['something.else'] });
      const eventId = await createEvent(api, tenant, 'invoice.paid');
      const response = await retry(eventId).set(tenant.auth).send({ webhookId: target }).expect(200);
      expect(response.body).toEqual({
        success: true,
        data: { eventId, webhookCount: 1, message: 'Event queued for retry to 1 webhook(s)' },
      });
      const manual = (await commands.forEvent(eventId, 1)).filter((read) => read.command.trigger === 'manual');
      expect(manual.map((read) => read.command.webhookId)).toEqual([target]);
    });

    it('answers webhookCount 0 when no webhook is subscribed, and publishes nothing', async () => {
      const lonely = await api.newTenant();
      const eventId = await createEvent(api, lonely);
      const response = await retry(eventId).set(lonely.auth).expect(200);
      expect(response.body).toEqual({
        success: true,
        data: { eventId, webhookCount: 0, message: 'Event queued for retry to 0 webhook(s)' },
      });
      await sleep(500);
      expect(commands.matching(eventId)).toEqual([]);
    });

    it('creates the delivery rows the status endpoint shows', async () => {
      const lateTenant = await api.newTenant();
      const eventId = await createEvent(api, lateTenant);
      const webhookId = await createWebhook(api, lateTenant);
      await retry(eventId).set(lateTenant.auth).expect(200);
      const status = await api.http().get(`/v1/webhooks/events/${eventId}/status`).set(lateTenant.auth).expect(200);
      expect(status.body.data.webhooks).toEqual([
        expect.objectContaining({ webhookId, status: 'pending', attempts: 0 }),
      ]);
    });
  });

  describe('400', () => {
    it('rejects an eventId that is not a UUID', async () => {
      const response = await retry('not-a-uuid').set(tenant.auth).expect(400);
      expect(response.body).toEqual({ message: 'eventId must be a valid UUID' });
    });

    it.each([['nope'], [{}], [42], [[UNKNOWN_ID]]])('rejects webhookId %p', async (webhookId) => {
      const response = await retry(randomUUID()).set(tenant.auth).send({ webhookId }).expect(400);
      expect(response.body).toEqual({ message: 'webhookId must be a valid UUID' });
    });

    it('rejects unknown body fields', async () => {
      const response = await retry(randomUUID())
        .set(tenant.auth)
        .send({ webhookIds: [UNKNOWN_ID] })
        .expect(400);
      expect(response.body).toEqual({ message: 'property webhookIds should not exist' });
    });

    it('rejects malformed JSON', async () => {
      const response = await retry(randomUUID())
        .set(tenant.auth)
        .set('Content-Type', 'application/json')
        .send('{"webhookId": ')
        .expect(400);
      expect(response.body).toEqual({ message: 'Request body is not valid JSON' });
    });

    it('rejects a JSON body that is not an object', async () => {
      const response = await retry(randomUUID()).set(tenant.auth).send([UNKNOWN_ID]).expect(400);
      expect(response.body).toEqual({ message: 'Request body must be a JSON object' });
    });
  });

  describe('401', () => {
    it.each([
      ['no Authorization header', undefined, 'Missing bearer token'],
      ['another scheme', 'Basic dXNlcjpwYXNz', 'Authorization header must use the Bearer scheme'],
      ['a bearer without token', 'Bearer', 'Malformed Authorization header'],
      ['a malformed token', 'Bearer abc', 'Malformed API token'],
      ['an unknown token', `Bearer whk_${UNKNOWN_ID}_${'a'.repeat(43)}`, 'Invalid or revoked API token'],
    ])('rejects %s', async (_label, header, message) => {
      const request = retry(randomUUID());
      if (header !== undefined) request.set('Authorization', header);
      const response = await request.expect(401);
      expect(response.body).toEqual({ message });
    });

    it('rejects a known token id with a wrong secret', async () => {
      const forged = `whk_${tenant.tokenId}_${'b'.repeat(43)}`;
      const response = await retry(randomUUID()).set('Authorization', `Bearer ${forged}`).expect(401);
      expect(response.body).toEqual({ message: 'Invalid or revoked API token' });
    });

    it('rejects a revoked token', async () => {
      const { RevokeApiTokenUseCase } =
        await import('../../apps/api/src/auth/usecases/revoke-api-token/revoke-api-token.usecase');
      const revoked = await api.newTenant();
      await expect(api.app.get(RevokeApiTokenUseCase).execute({ tokenId: revoked.tokenId })).resolves.toBe('revoked');
      const response = await retry(randomUUID()).set(revoked.auth).expect(401);
      expect(response.body).toEqual({ message: 'Invalid or revoked API token' });
    });
  });

  describe('404', () => {
    it('answers Event not found for an unknown event', async () => {
      const response = await retry(UNKNOWN_ID).set(tenant.auth).expect(404);
      expect(response.body).toEqual({ message: 'Event not found' });
    });

    it("answers Event not found for another tenant's event", async () => {
      const other = await api.newTenant('other');
      const eventId = await createEvent(api, other);
      const response = await retry(eventId).set(tenant.auth).expect(404);
      expect(response.body).toEqual({ message: 'Event not found' });
    });

    it("answers Webhook not found for an unknown or another tenant's webhook", async () => {
      const other = await api.newTenant('other');
      const theirs = await createWebhook(api, other);
      const eventId = await createEvent(api, tenant);
      for (const webhookId of [UNKNOWN_ID, theirs]) {
        const response = await retry(eventId).set(tenant.auth).send({ webhookId }).expect(404);
        expect(response.body).toEqual({ message: 'Webhook not found' });
      }
    });
  });

  it('409: refuses a disabled webhook', async () => {
    const disabled = await createWebhook(api, tenant, { active: false });
    const eventId = await createEvent(api, tenant);
    const response = await retry(eventId).set(tenant.auth).send({ webhookId: disabled }).expect(409);
    expect(response.body).toEqual({ message: 'Webhook is disabled' });
  });

  it('413: refuses a body over API_BODY_LIMIT_BYTES', async () => {
    const response = await retry(randomUUID())
      .set(tenant.auth)
      .send({ webhookId: UNKNOWN_ID, padding: 'x'.repeat(5000) })
      .expect(413);
    expect(response.body).toEqual({ message: 'Request body is too large' });
  });

  it('415: refuses a body that is not JSON', async () => {
    const response = await retry(randomUUID())
      .set(tenant.auth)
      .set('Content-Type', 'text/plain')
      .send(`webhookId=${UNKNOWN_ID}`)
      .expect(415);
    expect(response.body).toEqual({ message: 'Content-Type must be application/json' });
  });
});
