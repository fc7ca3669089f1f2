import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { issueTokenWithCli } from '../console/support/issue-token';
import { AppProcess, freePort } from '../support/app-process';
import { testKafkaBrokers } from '../support/infra';
import { TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { apiCaller } from '../support/api-caller';

/**
 * POST /v1/webhooks/{webhookId}/test across real processes: the test event reaches the named webhook only
 * (another webhook of the tenant subscribed to everything gets nothing), signed, and shows in the event
 * list, its status and its logs like any event.
 */
describe('Send a test event to a webhook (api and dispatcher processes, Kafka, FerretDB, an HTTP receiver)', () => {
  let db: TestDatabase;
  let receiver: TestReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;
  let shared: Record<string, string>;

  const newTenant = async (name: string) => {
    const token = await issueTokenWithCli(shared, `${name}-${randomUUID().slice(0, 8)}`);
    return apiCaller(() => api.port, token);
  };
  type Call = Awaited<ReturnType<typeof newTenant>>;

  const createWebhook = async (call: Call, path: string, eventTypes: string[]) => {
    const created = await call('/v1/webhooks', { method: 'POST', body: { url: receiver.url(path), eventTypes } });
    expect(created.status).toBe(201);
    return created.body.data as { webhookId: string; secret: string };
  };

  beforeAll(async () => {
    db = await TestDatabase.connect('test_event');
    receiver = await new TestReceiver().start();
    shared = { KAFKA_BROKERS: testKafkaBrokers(), MONGODB_URI: db.uri };
    [api, dispatcher] = await Promise.all([
      new AppProcess('api', await freePort(), { ...shared, ALLOW_HTTP_WEBHOOKS: 'true' }, 'test-event-api').start(),
      new AppProcess(
        'dispatcher',
        await freePort(),
        { ...shared, ALLOW_PRIVATE_TARGETS: 'true' },
        'test-event-dispatcher',
      ).start(),
    ]);
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await api?.stop();
    await receiver?.stop();
    await db?.close();
  });

  it('delivers a signed webhook.test event to that webhook only and logs it like any event', async () => {
    const call = await newTenant('acme');
    // Its filter leaves webhook.test out; the other webhook takes every type.
    const target = await createWebhook(call, '/tested', ['invoice.paid']);
    await createWebhook(call, '/bystander', []);

    const sent = await call(`/v1/webhooks/${target.webhookId}/test`, { method: 'POST' });
    expect(sent).toEqual({
      status: 201,
      body: {
        success: true,
        data: {
          eventId: expect.any(String),
          type: 'webhook.test',
          status: 'pending',
          webhookCount: 1,
          createdAt: expect.any(String),
        },
      },
    });
    const eventId = sent.body.data.eventId as string;

    const [request] = await waitFor('the test POST', () => {
      const received = receiver.received('/tested');
      return received.length === 1 ? received : undefined;
    });
    expect(request.headers['webhook-id']).toBe(eventId);
    const verified = new Webhook(target.secret).verify(request.body, request.headers as Record<string, string>);
    expect(verified).toEqual({
      id: eventId,
      type: 'webhook.test',
      timestamp: expect.any(String),
      data: { message: 'This is a test event' },
    });

    const logs = await waitFor('the attempt in GET .../logs', async () => {
      const items = (await call(`/v1/webhooks/events/${eventId}/logs`)).body.data?.items ?? [];
      return items.length === 1 ? items : undefined;
    });
    expect(logs[0]).toMatchObject({
      webhookId: target.webhookId,
      trigger: 'initial',
      success: true,
      statusCode: 200,
      attemptNumber: 1,
    });
    const status = await waitFor('the event delivered', async () => {
      const current = (await call(`/v1/webhooks/events/${eventId}/status`)).body.data;
      return current?.status === 'delivered' ? current : undefined;
    });
    expect(status.webhooks).toEqual([expect.objectContaining({ webhookId: target.webhookId, status: 'delivered' })]);
    const listed = await call('/v1/webhooks/events?limit=100');
    expect(listed.body.data.items).toContainEqual(
      expect.objectContaining({ eventId, type: 'webhook.test', status: 'delivered', webhookCount: 1 }),
    );

    // A payload of one's own, delivered verbatim.
    const custom = await call(`/v1/webhooks/${target.webhookId}/test`, {
      method: 'POST',
      body: { payload: { ping: 1, nested: { ok: true } } },
    });
    expect(custom.status).toBe(201);
    await waitFor('the second test POST', () => receiver.received('/tested').length === 2);
    const second = receiver.received('/tested')[1];
    expect(second.headers['webhook-id']).toBe(custom.body.data.eventId);
    expect(new Webhook(target.secret).verify(second.body, second.headers as Record<string, string>)).toMatchObject({
      type: 'webhook.test',
      data: { ping: 1, nested: { ok: true } },
    });
    await waitFor(
      'the second test event delivered',
      async () =>
        (await call(`/v1/webhooks/events/${custom.body.data.eventId}/status`)).body.data?.status === 'delivered',
    );

    // Both test events are finished, so anything sent to the other webhook would have arrived by now.
    expect(receiver.received('/bystander')).toEqual([]);
  });

  it('answers 404 for an unknown or another tenant’s webhook, 409 for a disabled one, 400 for a bad body', async () => {
    const call = await newTenant('globex');
    const other = await newTenant('initech');
    const webhook = await createWebhook(call, '/refused', []);
    const theirs = await createWebhook(other, '/theirs', []);
    const test = (webhookId: string, body?: unknown) =>
      call(`/v1/webhooks/${webhookId}/test`, { method: 'POST', body });

    expect(await test(randomUUID())).toEqual({ status: 404, body: { message: 'Webhook not found' } });
    expect(await test(theirs.webhookId)).toEqual({ status: 404, body: { message: 'Webhook not found' } });
    expect((await test('not-a-uuid')).status).toBe(400);
    expect(await test(webhook.webhookId, { payload: [1] })).toEqual({
      status: 400,
      body: { message: 'payload must be a JSON object' },
    });
    expect((await test(webhook.webhookId, { payload: {}, type: 'invoice.paid' })).status).toBe(400);

    expect((await call(`/v1/webhooks/${webhook.webhookId}`, { method: 'PATCH', body: { active: false } })).status).toBe(
      200,
    );
    expect(await test(webhook.webhookId)).toEqual({ status: 409, body: { message: 'Webhook is disabled' } });

    // None of the refused requests created an event, and nothing was sent.
    expect((await call('/v1/webhooks/events?limit=100')).body.data.items).toEqual([]);
    expect(receiver.received('/refused')).toEqual([]);
    expect(receiver.received('/theirs')).toEqual([]);
  });
});
