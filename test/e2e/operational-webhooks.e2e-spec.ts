import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { issueTokenWithCli } from '../console/support/issue-token';
import { AppProcess, freePort } from '../support/app-process';
import { testKafkaBrokers } from '../support/infra';
import { ReceivedRequest, respondWith, TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { apiCaller } from '../support/api-caller';

const OPERATIONAL_TYPES = ['endpoint.disabled', 'endpoint.enabled', 'retry_job.finished'];

/**
 * Operational webhooks across real processes: a tenant's operational endpoint receives, signed like any
 * delivery, `endpoint.disabled` when the dispatcher disables a webhook (410 Gone, failing too long) or the
 * tenant does, `endpoint.enabled`, and `retry_job.finished`; each once, and never at an ordinary webhook.
 */
describe('Operational webhooks (api and dispatcher processes, Kafka, FerretDB, an HTTP receiver)', () => {
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

  const create = async (call: Call, route: string, body: object) => {
    const created = await call(route, { method: 'POST', body });
    expect(created.status).toBe(201);
    return created.body.data as { webhookId: string; secret: string };
  };
  const postEvent = async (call: Call, type = 'invoice.paid') => {
    const posted = await call('/v1/webhooks/events', { method: 'POST', body: { type, payload: { n: 1 } } });
    expect(posted.status).toBe(201);
    return posted.body.data.eventId as string;
  };
  /** The receiver's requests at `path`, verified with the secret (Standard Webhooks), in arrival order. */
  const verified = (path: string, secret: string) =>
    receiver.received(path).map((request: ReceivedRequest) => {
      const message = new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as {
        id: string;
        type: string;
        data: Record<string, unknown>;
      };
      expect(request.headers['webhook-id']).toBe(message.id);
      return message;
    });
  const typesAt = (path: string) =>
    receiver.received(path).map((request: ReceivedRequest) => (JSON.parse(request.body) as { type: string }).type);

  beforeAll(async () => {
    db = await TestDatabase.connect('operational_webhooks');
    receiver = await new TestReceiver().start();
    shared = { KAFKA_BROKERS: testKafkaBrokers(), MONGODB_URI: db.uri };
    [api, dispatcher] = await Promise.all([
      new AppProcess('api', await freePort(), { ...shared, ALLOW_HTTP_WEBHOOKS: 'true' }, 'operational-api').start(),
      new AppProcess(
        'dispatcher',
        await freePort(),
        // Retries a second apart, and a webhook failing for two seconds is disabled.
        {
          ...shared,
          ALLOW_PRIVATE_TARGETS: 'true',
          RETRY_SCHEDULE: '1s,1s,1s,1s,1s',
          RETRY_JITTER: '0',
          AUTO_DISABLE_AFTER: '2s',
        },
        'operational-dispatcher',
      ).start(),
    ]);
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await api?.stop();
    await receiver?.stop();
    await db?.close();
  });

  it('sends endpoint.disabled (reason gone) once, signed, when an endpoint answers 410, and nothing to ordinary webhooks', async () => {
    const call = await newTenant('gone');
    const ops = await create(call, '/v1/operational-webhooks', { url: receiver.url('/gone/ops') });
    receiver.on('/gone/endpoint', respondWith(410));
    const gone = await create(call, '/v1/webhooks', { url: receiver.url('/gone/endpoint') });
    const bystander = await create(call, '/v1/webhooks', { url: receiver.url('/gone/bystander') });

    await postEvent(call);

    const [message] = await waitFor('endpoint.disabled at the operational endpoint', () => {
      const messages = verified('/gone/ops', ops.secret);
      return messages.length > 0 ? messages : undefined;
    });
    expect(message).toEqual({
      id: expect.any(String),
      type: 'endpoint.disabled',
      timestamp: expect.any(String),
      data: {
        webhookId: gone.webhookId,
        url: receiver.url('/gone/endpoint'),
        reason: 'gone',
        message: 'The endpoint answered 410 Gone',
        disabledAt: expect.any(String),
      },
    });
    const webhook = (await call(`/v1/webhooks/${gone.webhookId}`)).body.data;
    expect(webhook).toMatchObject({ active: false, disabledReason: 'The endpoint answered 410 Gone' });

    // A later event, delivered to the bystander, flushes anything still on its way: still one message.
    await postEvent(call);
    await waitFor('the second event at the bystander', () => receiver.received('/gone/bystander').length === 2);
    const delivered = await waitFor('the operational event delivered', async () => {
      const items = (await call('/v1/webhooks/events?type=endpoint.disabled')).body.data?.items ?? [];
      return items.length === 1 && items[0].status === 'delivered' ? items : undefined;
    });
    expect(delivered).toEqual([expect.objectContaining({ eventId: message.id, webhookCount: 1 })]);
    expect(verified('/gone/ops', ops.secret)).toHaveLength(1);
    expect(typesAt('/gone/bystander')).toEqual(['invoice.paid', 'invoice.paid']);
    expect(bystander.webhookId).not.toBe(ops.webhookId);
  });

  it('sends endpoint.disabled (reason failing) when an endpoint fails for AUTO_DISABLE_AFTER', async () => {
    const call = await newTenant('failing');
    const ops = await create(call, '/v1/operational-webhooks', { url: receiver.url('/failing/ops') });
    receiver.on('/failing/endpoint', respondWith(500));
    const failing = await create(call, '/v1/webhooks', { url: receiver.url('/failing/endpoint') });

    await postEvent(call);

    const [message] = await waitFor('endpoint.disabled at the operational endpoint', () => {
      const messages = verified('/failing/ops', ops.secret);
      return messages.length > 0 ? messages : undefined;
    });
    expect(message.type).toBe('endpoint.disabled');
    expect(message.data).toEqual({
      webhookId: failing.webhookId,
      url: receiver.url('/failing/endpoint'),
      reason: 'failing',
      message: expect.stringMatching(/^No successful delivery since /),
      disabledAt: expect.any(String),
    });
  });

  it('sends endpoint.disabled (reason manual) and endpoint.enabled when the tenant switches a webhook off and on', async () => {
    const call = await newTenant('manual');
    const ops = await create(call, '/v1/operational-webhooks', {
      url: receiver.url('/manual/ops'),
      eventTypes: ['endpoint.disabled', 'endpoint.enabled'],
    });
    const hook = await create(call, '/v1/webhooks', { url: receiver.url('/manual/hook') });

    const off = await call(`/v1/webhooks/${hook.webhookId}`, { method: 'PATCH', body: { active: false } });
    expect(off.body.data).toMatchObject({ active: false, disabledReason: 'Disabled through the API' });
    await waitFor('endpoint.disabled', () => receiver.received('/manual/ops').length === 1);
    // Already off: switching it off again is no change, so no event.
    expect((await call(`/v1/webhooks/${hook.webhookId}`, { method: 'PATCH', body: { active: false } })).status).toBe(
      200,
    );
    expect((await call(`/v1/webhooks/${hook.webhookId}`, { method: 'PATCH', body: { active: true } })).status).toBe(
      200,
    );
    await waitFor('endpoint.enabled', () => receiver.received('/manual/ops').length === 2);

    const messages = verified('/manual/ops', ops.secret);
    expect(messages.map(({ type, data }) => ({ type, data }))).toEqual([
      {
        type: 'endpoint.disabled',
        data: {
          webhookId: hook.webhookId,
          url: receiver.url('/manual/hook'),
          reason: 'manual',
          message: 'Disabled through the API',
          disabledAt: expect.any(String),
        },
      },
      {
        type: 'endpoint.enabled',
        data: { webhookId: hook.webhookId, url: receiver.url('/manual/hook'), enabledAt: expect.any(String) },
      },
    ]);
    // The ordinary webhook of the tenant, subscribed to everything, got neither.
    await postEvent(call);
    await waitFor('an ordinary event at the ordinary webhook', () => receiver.received('/manual/hook').length === 1);
    expect(typesAt('/manual/hook')).toEqual(['invoice.paid']);
    expect(receiver.received('/manual/ops')).toHaveLength(2);
  });

  it('sends retry_job.finished with the job counts when a bulk retry job completes', async () => {
    const call = await newTenant('job');
    const ops = await create(call, '/v1/operational-webhooks', {
      url: receiver.url('/job/ops'),
      eventTypes: ['retry_job.finished'],
    });
    await create(call, '/v1/webhooks', { url: receiver.url('/job/hook') });
    await postEvent(call);
    await postEvent(call);
    await waitFor('both events at the ordinary webhook', () => receiver.received('/job/hook').length === 2);

    const started = await call('/v1/webhooks/events/retry', { method: 'POST', body: {} });
    expect(started.status).toBe(202);
    const jobId = started.body.data.jobId as string;

    const [message] = await waitFor('retry_job.finished', () => {
      const messages = verified('/job/ops', ops.secret);
      return messages.length > 0 ? messages : undefined;
    });
    const job = (await call(`/v1/webhooks/retry-jobs/${jobId}`)).body.data;
    expect(job).toMatchObject({ status: 'completed', matched: 2, queued: 2 });
    expect(message).toMatchObject({
      type: 'retry_job.finished',
      data: {
        retryJobId: jobId,
        status: 'completed',
        matched: 2,
        queued: 2,
        delivered: expect.any(Number),
        failed: expect.any(Number),
        finishedAt: expect.any(String),
      },
    });
    // The job's retries went to the ordinary webhook only.
    await waitFor('the retried events at the ordinary webhook', () => receiver.received('/job/hook').length === 4);
    expect(typesAt('/job/hook')).toEqual(['invoice.paid', 'invoice.paid', 'invoice.paid', 'invoice.paid']);
    expect(receiver.received('/job/ops')).toHaveLength(1);
  });

  it('keeps the two kinds apart in the API and refuses operational types where tenants publish', async () => {
    const call = await newTenant('routes');
    const ops = await create(call, '/v1/operational-webhooks', {
      url: receiver.url('/routes/ops'),
      description: 'On-call',
    });
    expect(ops.secret).toMatch(/^whsec_/);
    const hook = await create(call, '/v1/webhooks', { url: receiver.url('/routes/hook') });

    const listed = await call('/v1/operational-webhooks');
    expect(listed).toEqual({
      status: 200,
      body: {
        success: true,
        data: {
          items: [
            {
              webhookId: ops.webhookId,
              url: receiver.url('/routes/ops'),
              eventTypes: [],
              description: 'On-call',
              active: true,
              disabledReason: null,
              createdAt: expect.any(String),
              updatedAt: expect.any(String),
            },
          ],
          nextCursor: null,
        },
      },
    });
    expect((await call(`/v1/operational-webhooks/${ops.webhookId}`)).body.data).not.toHaveProperty('secret');
    const ordinary = (await call('/v1/webhooks')).body.data.items.map(
      ({ webhookId }: { webhookId: string }) => webhookId,
    );
    expect(ordinary).toEqual([hook.webhookId]);
    // Each kind is not found through the other's routes.
    expect(await call(`/v1/webhooks/${ops.webhookId}`)).toEqual({
      status: 404,
      body: { message: 'Webhook not found' },
    });
    expect((await call(`/v1/operational-webhooks/${hook.webhookId}`)).status).toBe(404);
    expect((await call(`/v1/webhooks/${ops.webhookId}`, { method: 'DELETE' })).status).toBe(404);

    for (const type of OPERATIONAL_TYPES) {
      expect(await call('/v1/webhooks/events', { method: 'POST', body: { type, payload: {} } })).toEqual({
        status: 400,
        body: { message: `type ${type} is reserved for operational webhooks` },
      });
    }
    expect(
      await call('/v1/operational-webhooks', {
        method: 'POST',
        body: { url: receiver.url('/routes/x'), eventTypes: ['invoice.paid'] },
      }),
    ).toEqual({
      status: 400,
      body: { message: 'eventTypes must list only endpoint.disabled, endpoint.enabled, retry_job.finished' },
    });
    expect((await call('/v1/operational-webhooks', { method: 'POST', body: {} })).status).toBe(400);

    expect(await call(`/v1/operational-webhooks/${ops.webhookId}`, { method: 'DELETE' })).toEqual({
      status: 200,
      body: { success: true, data: { webhookId: ops.webhookId, deleted: true } },
    });
    expect((await call(`/v1/operational-webhooks/${ops.webhookId}`)).status).toBe(404);
  });
});
