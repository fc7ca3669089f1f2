import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';
import { createEvent, createWebhook } from './support/fixtures';

/** A token sees only its own tenant: every route answers another tenant's objects with 404. */
describe('Tenant isolation', () => {
  let api: ApiTestApp;
  let owner: TestTenant;
  let intruder: TestTenant;
  let webhookId: string;
  let eventId: string;
  let jobId: string;

  beforeAll(async () => {
    api = await startApiTestApp('isolation');
    owner = await api.newTenant('owner');
    intruder = await api.newTenant('intruder');
    webhookId = await createWebhook(api, owner);
    eventId = await createEvent(api, owner);
    const job = await api.http().post('/v1/webhooks/events/retry').set(owner.auth).send({}).expect(202);
    jobId = job.body.data.jobId;
  });
  afterAll(async () => api?.close());

  it.each([
    ['GET webhook', () => api.http().get(`/v1/webhooks/${webhookId}`), 'Webhook not found'],
    ['PATCH webhook', () => api.http().patch(`/v1/webhooks/${webhookId}`).send({ active: false }), 'Webhook not found'],
    ['DELETE webhook', () => api.http().delete(`/v1/webhooks/${webhookId}`), 'Webhook not found'],
    ['rotate secret', () => api.http().post(`/v1/webhooks/${webhookId}/secret/rotate`), 'Webhook not found'],
    ['GET event', () => api.http().get(`/v1/webhooks/events/${eventId}`), 'Event not found'],
    ['GET event status', () => api.http().get(`/v1/webhooks/events/${eventId}/status`), 'Event not found'],
    ['GET event logs', () => api.http().get(`/v1/webhooks/events/${eventId}/logs`), 'Event not found'],
    ['retry event', () => api.http().post(`/v1/webhooks/events/${eventId}/retry`), 'Event not found'],
    [
      'bulk retry to their webhook',
      () => api.http().post('/v1/webhooks/events/retry').send({ webhookId }),
      'Webhook not found',
    ],
    ['GET retry job', () => api.http().get(`/v1/webhooks/retry-jobs/${jobId}`), 'Retry job not found'],
    ['cancel retry job', () => api.http().post(`/v1/webhooks/retry-jobs/${jobId}/cancel`), 'Retry job not found'],
  ])('%s of another tenant is not found', async (_label, route, message) => {
    const response = await route().set(intruder.auth).expect(404);
    expect(response.body).toEqual({ message });
  });

  it('lists nothing of another tenant', async () => {
    for (const path of ['/v1/webhooks', '/v1/webhooks/events', '/v1/webhooks/retry-jobs']) {
      const response = await api.http().get(path).set(intruder.auth).expect(200);
      expect(response.body.data).toEqual({ items: [], nextCursor: null });
    }
  });

  it('left the owner’s objects untouched', async () => {
    const webhook = await api.http().get(`/v1/webhooks/${webhookId}`).set(owner.auth).expect(200);
    expect(webhook.body.data.active).toBe(true);
    await api.http().get(`/v1/webhooks/events/${eventId}`).set(owner.auth).expect(200);
    const job = await api.http().get(`/v1/webhooks/retry-jobs/${jobId}`).set(owner.auth).expect(200);
    expect(job.body.data.status).not.toBe('cancelled');
  });
});
