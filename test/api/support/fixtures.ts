import { ApiTestApp, TestTenant } from './api-test-app';

/** Creates a webhook through the API, as a tenant would; returns its id. */
export async function createWebhook(
  api: ApiTestApp,
  tenant: TestTenant,
  body: { url?: string; eventTypes?: string[]; active?: boolean; fifo?: boolean } = {},
): Promise<string> {
  const response = await api
    .http()
    .post('/v1/webhooks')
    .set(tenant.auth)
    .send({ url: 'http://127.0.0.1:9/hook', ...body })
    .expect(201);
  return response.body.data.webhookId as string;
}

/** Creates an event through the API; returns its id. */
export async function createEvent(
  api: ApiTestApp,
  tenant: TestTenant,
  type = 'invoice.paid',
  payload: object = { n: 1 },
): Promise<string> {
  const response = await api.http().post('/v1/webhooks/events').set(tenant.auth).send({ type, payload }).expect(201);
  return response.body.data.eventId as string;
}

export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
