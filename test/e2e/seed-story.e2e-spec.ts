import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { issueTokenWithCli } from '../console/support/issue-token';
import { AppProcess, freePort } from '../support/app-process';
import { testKafkaBrokers } from '../support/infra';
import { respondWith, TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

interface Envelope {
  success?: boolean;
  data?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  message?: string;
}

/**
 * The seed's story across real processes, as the README tells a newcomer to run it: a token from the
 * CLI, a webhook and an event through the API, then POST /v1/webhooks/events/{eventId}/retry; the
 * command goes through Kafka to the dispatcher, which POSTs a signed webhook to the receiver; the
 * attempt then shows in GET /logs and the outcome in GET /status.
 */
describe('Seed story end to end (api and dispatcher processes, Kafka, FerretDB, an HTTP receiver)', () => {
  let db: TestDatabase;
  let receiver: TestReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;
  let token: string;

  const call = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`http://127.0.0.1:${api.port}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: response.status, body: (await response.json()) as Envelope };
  };

  const createWebhook = async (path: string) => {
    const created = await call('/v1/webhooks', { method: 'POST', body: { url: receiver.url(path) } });
    expect(created.status).toBe(201);
    return created.body.data as { webhookId: string; secret: string };
  };

  const createEvent = async (payload: Record<string, unknown>) => {
    const created = await call('/v1/webhooks/events', { method: 'POST', body: { type: 'invoice.paid', payload } });
    expect(created.status).toBe(201);
    return created.body.data.eventId as string;
  };

  const statusOf = async (eventId: string) => (await call(`/v1/webhooks/events/${eventId}/status`)).body.data;
  const logsOf = async (eventId: string) => (await call(`/v1/webhooks/events/${eventId}/logs`)).body.data;

  beforeAll(async () => {
    db = await TestDatabase.connect('seed_story');
    receiver = await new TestReceiver().start();
    const shared = { KAFKA_BROKERS: testKafkaBrokers(), MONGODB_URI: db.uri };
    [api, dispatcher] = await Promise.all([
      new AppProcess('api', await freePort(), { ...shared, ALLOW_HTTP_WEBHOOKS: 'true' }, 'seed-api').start(),
      new AppProcess(
        'dispatcher',
        await freePort(),
        { ...shared, ALLOW_PRIVATE_TARGETS: 'true', RETRY_SCHEDULE: '200ms', RETRY_JITTER: '0' },
        'seed-dispatcher',
      ).start(),
    ]);
    token = await issueTokenWithCli(shared, `seed-${randomUUID().slice(0, 8)}`);
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await api?.stop();
    await receiver?.stop();
    await db?.close();
  });

  it('retries a delivered event to one webhook and to all, each a verified POST that shows in the logs and status', async () => {
    const webhook = await createWebhook('/seed');
    const payload = { invoiceId: 'inv_42', amount: 4200 };
    const eventId = await createEvent(payload);
    await waitFor('the initial delivery', () => receiver.received('/seed').length === 1);

    const one = await call(`/v1/webhooks/events/${eventId}/retry`, {
      method: 'POST',
      body: { webhookId: webhook.webhookId },
    });
    expect(one).toEqual({
      status: 200,
      body: {
        success: true,
        data: { eventId, webhookCount: 1, message: 'Event queued for retry to 1 webhook(s)' },
      },
    });
    await waitFor('the retried POST', () => receiver.received('/seed').length === 2);

    const [initial, retried] = receiver.received('/seed');
    expect(retried.headers['webhook-id']).toBe(eventId);
    expect(retried.headers['webhook-id']).toBe(initial.headers['webhook-id']);
    const verified = new Webhook(webhook.secret).verify(retried.body, retried.headers as Record<string, string>);
    expect(verified).toMatchObject({ id: eventId, type: 'invoice.paid', data: payload });
    expect(Object.keys(verified as object).sort()).toEqual(['data', 'id', 'timestamp', 'type']);

    const logs = await waitFor('the manual attempt in the logs', async () => {
      const page = await logsOf(eventId);
      return page?.items?.length === 2 ? page.items : undefined;
    });
    expect(logs[0]).toMatchObject({
      webhookId: webhook.webhookId,
      trigger: 'manual',
      success: true,
      statusCode: 200,
    });
    expect(logs[1]).toMatchObject({ trigger: 'initial', success: true, statusCode: 200 });

    // No body: every active subscribed webhook of the tenant.
    const all = await call(`/v1/webhooks/events/${eventId}/retry`, { method: 'POST' });
    expect(all.body).toEqual({
      success: true,
      data: { eventId, webhookCount: 1, message: 'Event queued for retry to 1 webhook(s)' },
    });
    await waitFor('the third POST', () => receiver.received('/seed').length === 3);
    const status = await waitFor('three attempts in the status', async () => {
      const current = await statusOf(eventId);
      return current?.webhooks?.[0]?.attempts === 3 ? current : undefined;
    });
    expect(status).toMatchObject({
      eventId,
      status: 'delivered',
      webhooks: [{ webhookId: webhook.webhookId, url: receiver.url('/seed'), status: 'delivered', attempts: 3 }],
    });

    const listed = await call('/v1/webhooks/events?limit=100');
    expect(listed.body.data.items.map((item: { eventId: string }) => item.eventId)).toContain(eventId);
  });

  it('turns a failed delivery into a delivered one with a manual retry once the receiver is fixed', async () => {
    receiver.on('/flaky', respondWith(500, 'down for maintenance'));
    const webhook = await createWebhook('/flaky');
    const eventId = await createEvent({ invoiceId: 'inv_43' });

    // The tenant's webhook from the first test still answers 200; this one fails its first attempt and
    // its one automatic retry (RETRY_SCHEDULE=200ms), so the event is partially delivered.
    const flakyState = async () =>
      ((await statusOf(eventId))?.webhooks ?? []).find(
        (entry: { webhookId: string }) => entry.webhookId === webhook.webhookId,
      );
    await waitFor('the flaky delivery to fail', async () => (await flakyState())?.status === 'failed', 60_000, 200);
    expect((await statusOf(eventId)).status).toBe('partially_delivered');
    expect(receiver.received('/flaky')).toHaveLength(2);

    receiver.on('/flaky', respondWith(200));
    const retried = await call(`/v1/webhooks/events/${eventId}/retry`, {
      method: 'POST',
      body: { webhookId: webhook.webhookId },
    });
    expect(retried.status).toBe(200);
    expect(retried.body.data).toEqual({ eventId, webhookCount: 1, message: 'Event queued for retry to 1 webhook(s)' });

    await waitFor('the event to be delivered', async () => (await statusOf(eventId))?.status === 'delivered');
    expect(await flakyState()).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
    const logs = await waitFor('three attempts logged', async () => {
      const page = (await call(`/v1/webhooks/events/${eventId}/logs?webhookId=${webhook.webhookId}`)).body.data;
      return page?.items?.length === 3 ? page.items : undefined;
    });
    expect(logs.map((attempt: { trigger: string; success: boolean }) => [attempt.trigger, attempt.success])).toEqual([
      ['manual', true],
      ['automatic', false],
      ['initial', false],
    ]);
    expect(logs[1]).toMatchObject({ statusCode: 500, responseBodyExcerpt: 'down for maintenance' });
  });
});
