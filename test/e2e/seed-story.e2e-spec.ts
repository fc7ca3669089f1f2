import { randomUUID } from 'node:crypto';
import { DeliveryLogV1, KafkaTopic } from '@app/contracts';
import { Webhook } from 'standardwebhooks';
import { issueTokenWithCli } from '../console/support/issue-token';
import { AppProcess, freePort } from '../support/app-process';
import { testKafkaBrokers } from '../support/infra';
import { TestKafka } from '../support/kafka-client';
import { ReceivedRequest, respondWith, TestReceiver } from '../support/receiver';
import { newSecret, TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { apiCaller } from '../support/api-caller';

interface Attempt {
  webhookId: string;
  commandId: string;
  trigger: 'initial' | 'automatic' | 'manual';
  requestedBy: string | null;
  attemptNumber: number;
  startedAt: string;
  statusCode: number | null;
  responseBodyExcerpt: string | null;
  success: boolean;
}

interface EventStatusView {
  eventId: string;
  status: string;
  webhooks: { webhookId: string; url: string; status: string; attempts: number; lastStatusCode: number | null }[];
}

const retried = (webhookCount: number, eventId: string) => ({
  status: 200,
  body: {
    success: true,
    data: { eventId, webhookCount, message: `Event queued for retry to ${webhookCount} webhook(s)` },
  },
});

/**
 * The seed's story across real processes, as the README's quick start tells a newcomer to run it: a token
 * from the CLI, a webhook and an event through the API, then POST /v1/webhooks/events/{eventId}/retry; the
 * command goes through Kafka to the dispatcher, which POSTs a signed webhook to the receiver; the attempt
 * then shows in GET .../logs and the outcome in GET .../status. Each test is its own tenant.
 */
describe('Seed story end to end (api and dispatcher processes, Kafka, FerretDB, an HTTP receiver)', () => {
  let db: TestDatabase;
  let receiver: TestReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;
  let shared: Record<string, string>;

  /** A tenant with a token from the real CLI, calling the API the way the README's curl lines do. */
  const newTenant = async (name: string) => {
    const token = await issueTokenWithCli(shared, `${name}-${randomUUID().slice(0, 8)}`);
    const call = apiCaller(() => api.port, token);
    return {
      call,
      async createWebhook(path: string) {
        const created = await call('/v1/webhooks', { method: 'POST', body: { url: receiver.url(path) } });
        expect(created.status).toBe(201);
        expect(created.body.data).toMatchObject({ url: receiver.url(path), active: true, eventTypes: [] });
        expect(created.body.data.secret).toMatch(/^whsec_/);
        return created.body.data as { webhookId: string; secret: string };
      },
      async createEvent(payload: Record<string, unknown>) {
        const created = await call('/v1/webhooks/events', { method: 'POST', body: { type: 'invoice.paid', payload } });
        expect(created.status).toBe(201);
        expect(created.body.data).toMatchObject({ type: 'invoice.paid', webhookCount: 1 });
        return created.body.data.eventId as string;
      },
      /** With no body exactly like the seed's curl (only the Authorization header), else JSON. */
      retry: (eventId: string, body?: unknown) =>
        call(`/v1/webhooks/events/${eventId}/retry`, { method: 'POST', body }),
      status: async (eventId: string) =>
        (await call(`/v1/webhooks/events/${eventId}/status`)).body.data as EventStatusView | undefined,
      logs: async (eventId: string) =>
        ((await call(`/v1/webhooks/events/${eventId}/logs`)).body.data?.items ?? []) as Attempt[],
      listedEventIds: async (query: string) =>
        ((await call(`/v1/webhooks/events?limit=100${query}`)).body.data.items as { eventId: string }[]).map(
          (item) => item.eventId,
        ),
    };
  };
  type Tenant = Awaited<ReturnType<typeof newTenant>>;

  /** What a receiver following the Standard Webhooks spec does: verify, then read the envelope. */
  const verifiedBody = (request: ReceivedRequest, secret: string) => {
    expect(() => new Webhook(newSecret()).verify(request.body, request.headers as Record<string, string>)).toThrow();
    const verified = new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    expect(JSON.parse(request.body)).toEqual(verified);
    return verified as Record<string, unknown>;
  };

  const expectDelivery = (request: ReceivedRequest, secret: string, eventId: string, payload: object) => {
    expect(request.headers['webhook-id']).toBe(eventId);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const body = verifiedBody(request, secret);
    expect(body).toEqual({ id: eventId, type: 'invoice.paid', timestamp: expect.any(String), data: payload });
    expect(Number.isNaN(Date.parse(body.timestamp as string))).toBe(false);
  };

  /** Logs are newest first: attempt numbers count down and start times never go up. */
  const expectNewestFirst = (logs: Attempt[]) => {
    expect(logs.map((attempt) => attempt.attemptNumber)).toEqual(logs.map((_, index) => logs.length - index));
    const started = logs.map((attempt) => Date.parse(attempt.startedAt));
    expect([...started].sort((a, b) => b - a)).toEqual(started);
  };

  /** The logs once the status counts `count` attempts: numbers are final once an attempt is counted. */
  const logsOnceThereAre = (tenant: Tenant, eventId: string, count: number) =>
    waitFor(`${count} attempts counted in GET .../status and listed in GET .../logs`, async () => {
      const counted = (await tenant.status(eventId))?.webhooks.reduce((sum, { attempts }) => sum + attempts, 0);
      if (counted !== count) return undefined;
      const logs = await tenant.logs(eventId);
      return logs.length === count ? logs : undefined;
    });

  beforeAll(async () => {
    db = await TestDatabase.connect('seed_story');
    receiver = await new TestReceiver().start();
    shared = { KAFKA_BROKERS: testKafkaBrokers(), MONGODB_URI: db.uri };
    [api, dispatcher] = await Promise.all([
      new AppProcess('api', await freePort(), { ...shared, ALLOW_HTTP_WEBHOOKS: 'true' }, 'seed-api').start(),
      new AppProcess(
        'dispatcher',
        await freePort(),
        // The initial attempt and one automatic retry 200 ms later, then a delivery has failed for good.
        { ...shared, ALLOW_PRIVATE_TARGETS: 'true', RETRY_SCHEDULE: '200ms', RETRY_JITTER: '0' },
        'seed-dispatcher',
      ).start(),
    ]);
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await api?.stop();
    await receiver?.stop();
    await db?.close();
  });

  it('retries a delivered event to one webhook and to all, each a verified POST that shows in the logs and status', async () => {
    const acme = await newTenant('acme');
    const webhook = await acme.createWebhook('/seed');
    const payload = { amount: 42, customer: { id: 'cus_1', tags: ['vip'] } };
    const eventId = await acme.createEvent(payload);

    const [initial] = await waitFor('the initial delivery', () => {
      const received = receiver.received('/seed');
      return received.length === 1 ? received : undefined;
    });
    expectDelivery(initial, webhook.secret, eventId, payload);
    await waitFor(
      'the initial attempt in the status',
      async () => (await acme.status(eventId))?.status === 'delivered',
    );

    // 1. Retry to the one webhook named in the body.
    expect(await acme.retry(eventId, { webhookId: webhook.webhookId })).toEqual(retried(1, eventId));
    await waitFor('the retried POST', () => receiver.received('/seed').length === 2);
    const second = receiver.received('/seed')[1];
    expectDelivery(second, webhook.secret, eventId, payload);
    expect(second.headers['webhook-id']).toBe(initial.headers['webhook-id']);

    let logs = await logsOnceThereAre(acme, eventId, 2);
    expect(logs[0]).toMatchObject({ webhookId: webhook.webhookId, trigger: 'manual', success: true, statusCode: 200 });
    expect(logs[1]).toMatchObject({ webhookId: webhook.webhookId, trigger: 'initial', success: true, statusCode: 200 });
    expectNewestFirst(logs);

    // 2. Retry with no body, exactly the seed's curl: every active subscribed webhook (one here).
    expect(await acme.retry(eventId)).toEqual(retried(1, eventId));
    await waitFor('the third POST', () => receiver.received('/seed').length === 3);
    const third = receiver.received('/seed')[2];
    expectDelivery(third, webhook.secret, eventId, payload);
    expect(third.headers['webhook-id']).toBe(initial.headers['webhook-id']);

    logs = await logsOnceThereAre(acme, eventId, 3);
    expect(logs.map((attempt) => [attempt.trigger, attempt.success, attempt.statusCode])).toEqual([
      ['manual', true, 200],
      ['manual', true, 200],
      ['initial', true, 200],
    ]);
    expectNewestFirst(logs);
    // Each manual retry is its own command, so the dispatcher did not de-duplicate the second one away.
    expect(new Set(logs.map((attempt) => attempt.commandId)).size).toBe(3);

    const status = await waitFor('three attempts in the status', async () => {
      const current = await acme.status(eventId);
      return current?.webhooks[0]?.attempts === logs.length ? current : undefined;
    });
    expect(status).toMatchObject({
      eventId,
      type: 'invoice.paid',
      status: 'delivered',
      webhooks: [
        {
          webhookId: webhook.webhookId,
          url: receiver.url('/seed'),
          status: 'delivered',
          attempts: 3,
          lastStatusCode: 200,
        },
      ],
    });
    expect(status.webhooks).toHaveLength(1);

    const listed = await acme.call('/v1/webhooks/events?limit=100');
    expect(listed.status).toBe(200);
    expect(listed.body.data.items).toContainEqual(
      expect.objectContaining({ eventId, type: 'invoice.paid', status: 'delivered', webhookCount: 1 }),
    );

    // The contract's error response: a webhookId that is not a UUID.
    expect(await acme.retry(eventId, { webhookId: {} })).toEqual({
      status: 400,
      body: { message: 'webhookId must be a valid UUID' },
    });
  });

  it('numbers a manual retry sent right after the initial attempt after it, counts both in the status, and says who asked', async () => {
    const initech = await newTenant('initech');
    const webhook = await initech.createWebhook('/numbered');
    const kafka = new TestKafka();
    try {
      const published = await kafka.collect(KafkaTopic.DeliveryLogs);
      const eventId = await initech.createEvent({ invoiceId: 'inv_44' });
      // No wait: the retry is planned before the initial attempt is recorded.
      expect(await initech.retry(eventId)).toEqual(retried(1, eventId));
      // Another service's command on the public topic, naming itself.
      await kafka.publish(KafkaTopic.DeliveryCommands, [
        {
          key: eventId,
          value: JSON.stringify({ version: 1, eventId, webhookId: webhook.webhookId, requestedBy: 'kcat-newcomer' }),
        },
      ]);

      const logs = await logsOnceThereAre(initech, eventId, 3);
      expectNewestFirst(logs);
      const status = await waitFor('three attempts in the status', async () => {
        const current = await initech.status(eventId);
        return current?.webhooks[0]?.attempts === 3 ? current : undefined;
      });
      expect(status.webhooks[0]).toMatchObject({ status: 'delivered', attempts: 3 });

      // The API's commands name the token that asked; the published one names its service.
      const byTrigger = logs.map(({ trigger, requestedBy }) => [trigger, requestedBy]);
      expect(byTrigger.filter(([, who]) => who === 'kcat-newcomer')).toEqual([['manual', 'kcat-newcomer']]);
      const tokenIds = byTrigger.filter(([, who]) => who !== 'kcat-newcomer').map(([, who]) => who);
      expect(tokenIds).toHaveLength(2);
      expect(new Set(tokenIds).size).toBe(1);
      expect(tokenIds[0]).toMatch(/^[0-9a-f-]{36}$/);

      const onTopic = await waitFor('the attempts on the delivery-log topic', () => {
        const mine = published
          .map((message) => JSON.parse(message.value!.toString()) as DeliveryLogV1)
          .filter((log) => log.eventId === eventId);
        return mine.length === 3 ? mine : undefined;
      });
      expect(onTopic.map((log) => log.requestedBy).sort()).toEqual(logs.map((attempt) => attempt.requestedBy).sort());
    } finally {
      await kafka.close();
    }
  });

  it('turns a failed event into a delivered one with a manual retry once the receiver is fixed', async () => {
    receiver.on('/flaky', respondWith(500, 'down for maintenance'));
    const globex = await newTenant('globex');
    const webhook = await globex.createWebhook('/flaky');
    const payload = { invoiceId: 'inv_43', amount: 4300 };
    const eventId = await globex.createEvent(payload);

    // The initial attempt and its one automatic retry (RETRY_SCHEDULE=200ms) both get a 500.
    await waitFor(
      'the event to fail for good',
      async () => (await globex.status(eventId))?.status === 'failed',
      60_000,
      200,
    );
    expect(await globex.status(eventId)).toMatchObject({
      status: 'failed',
      webhooks: [
        { webhookId: webhook.webhookId, status: 'failed', attempts: 2, lastStatusCode: 500, nextAttemptAt: null },
      ],
    });
    const failures = receiver.received('/flaky');
    expect(failures).toHaveLength(2);
    failures.forEach((request) => expectDelivery(request, webhook.secret, eventId, payload));
    let logs = await logsOnceThereAre(globex, eventId, 2);
    expect(logs.map((attempt) => [attempt.trigger, attempt.success, attempt.statusCode])).toEqual([
      ['automatic', false, 500],
      ['initial', false, 500],
    ]);
    expect(await globex.listedEventIds('&status=failed')).toContain(eventId);

    // The receiver is fixed; the seed's curl retries the event.
    receiver.on('/flaky', respondWith(200));
    expect(await globex.retry(eventId)).toEqual(retried(1, eventId));
    await waitFor('the retried POST', () => receiver.received('/flaky').length === 3);
    const fixed = receiver.received('/flaky')[2];
    expectDelivery(fixed, webhook.secret, eventId, payload);
    expect(fixed.headers['webhook-id']).toBe(failures[0].headers['webhook-id']);

    await waitFor('the event to be delivered', async () => (await globex.status(eventId))?.status === 'delivered');
    logs = await logsOnceThereAre(globex, eventId, 3);
    expect(logs.map((attempt) => [attempt.trigger, attempt.success, attempt.statusCode])).toEqual([
      ['manual', true, 200],
      ['automatic', false, 500],
      ['initial', false, 500],
    ]);
    expect(logs[1].responseBodyExcerpt).toBe('down for maintenance');
    expectNewestFirst(logs);
    expect(await globex.status(eventId)).toMatchObject({
      status: 'delivered',
      webhooks: [
        {
          webhookId: webhook.webhookId,
          status: 'delivered',
          attempts: logs.length,
          lastStatusCode: 200,
          nextAttemptAt: null,
        },
      ],
    });
    expect(await globex.listedEventIds('&status=delivered')).toContain(eventId);
    expect(await globex.listedEventIds('&status=failed')).not.toContain(eventId);
  });
});
