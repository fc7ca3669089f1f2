import { randomUUID } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { MAX_EVENT_PAYLOAD_BYTES } from '@app/contracts';
import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';
import { CommandReader } from './support/command-reader';
import { createEvent, createWebhook } from './support/fixtures';
import { sleep } from '../support/wait-for';

describe('Events', () => {
  let api: ApiTestApp;
  let commands: CommandReader;
  let tenant: TestTenant;

  beforeAll(async () => {
    api = await startApiTestApp('events');
    commands = await new CommandReader().start();
    tenant = await api.newTenant();
  });
  afterAll(async () => {
    await commands?.stop();
    await api?.close();
  });

  const post = (body: object, who = tenant) => api.http().post('/v1/webhooks/events').set(who.auth).send(body);

  it('creates an event, fans it out to the subscribed webhooks and publishes one initial command each', async () => {
    const subscribed = await createWebhook(api, tenant, { eventTypes: ['order.created'] });
    const catchAll = await createWebhook(api, tenant);
    await createWebhook(api, tenant, { eventTypes: ['order.cancelled'] });

    const response = await post({ type: 'order.created', payload: { orderId: 'o-1', 'a.b': 1, $c: 2 } }).expect(201);

    const { eventId } = response.body.data;
    expect(response.body).toEqual({
      success: true,
      data: { eventId, type: 'order.created', status: 'pending', webhookCount: 2, createdAt: expect.any(String) },
    });
    const published = await commands.forEvent(eventId, 2);
    expect(published).toHaveLength(2);
    expect(published.map((read) => read.command.webhookId).sort()).toEqual([subscribed, catchAll].sort());
    expect(published.every((read) => read.key === eventId && read.command.trigger === 'initial')).toBe(true);
    expect(published.every((read) => read.command.requestedBy === tenant.tokenId)).toBe(true);

    const detail = await api.http().get(`/v1/webhooks/events/${eventId}`).set(tenant.auth).expect(200);
    expect(detail.body.data).toMatchObject({
      eventId,
      payload: { orderId: 'o-1', 'a.b': 1, $c: 2 },
      idempotencyKey: eventId,
    });

    const status = await api.http().get(`/v1/webhooks/events/${eventId}/status`).set(tenant.auth).expect(200);
    expect(status.body.data).toMatchObject({ eventId, type: 'order.created', status: 'pending' });
    expect(status.body.data.webhooks.map((row: { webhookId: string }) => row.webhookId).sort()).toEqual(
      [subscribed, catchAll].sort(),
    );
    expect(status.body.data.webhooks[0]).toEqual({
      webhookId: expect.any(String),
      url: 'http://127.0.0.1:9/hook',
      status: 'pending',
      attempts: 0,
      lastAttemptAt: null,
      lastStatusCode: null,
      lastErrorKind: null,
      nextAttemptAt: null,
      heldBy: null,
    });
  });

  it('stores and returns a payload verbatim, "constructor", "__proto__" and "prototype" keys included', async () => {
    const payload = '{"constructor":{"b":2},"__proto__":{"x":1},"prototype":3,"list":[{"constructor":4}]}';
    const response = await api
      .http()
      .post('/v1/webhooks/events')
      .set(tenant.auth)
      .set('content-type', 'application/json')
      .send(`{"type":"order.created","payload":${payload}}`)
      .expect(201);
    const detail = await api
      .http()
      .get(`/v1/webhooks/events/${response.body.data.eventId}`)
      .set(tenant.auth)
      .expect(200);
    expect(JSON.stringify(detail.body.data.payload)).toBe(payload);
  });

  it('marks an event with no subscriber delivered and publishes nothing', async () => {
    const lonely = await api.newTenant();
    const response = await post({ type: 'nobody.listens', payload: {} }, lonely).expect(201);
    expect(response.body.data).toMatchObject({ status: 'delivered', webhookCount: 0 });
    await sleep(500);
    expect(commands.matching(response.body.data.eventId)).toEqual([]);
  });

  it('returns the existing event with 200 for a repeated idempotency key, re-sending a pending event only under the same command ids', async () => {
    const keyed = await api.newTenant();
    const webhookId = await createWebhook(api, keyed);
    const idempotencyKey = `order-${randomUUID()}`;
    const first = await post({ type: 'order.created', payload: { n: 1 }, idempotencyKey }, keyed).expect(201);
    const again = await post({ type: 'order.created', payload: { n: 1 }, idempotencyKey }, keyed).expect(200);
    expect(again.body).toEqual(first.body);
    // No dispatcher runs here, so the event is still pending: the replay publishes its initial command
    // again (in case the first publish was lost), with the same id, which a dispatcher treats as one.
    const eventId = first.body.data.eventId;
    const published = await commands.forEvent(eventId, 2);
    expect(published).toHaveLength(2);
    expect(new Set(published.map((read) => read.command.commandId))).toEqual(
      new Set([`initial:${eventId}:${webhookId}`]),
    );

    // Concurrent repeats all answer with the one event.
    const racingKey = `race-${randomUUID()}`;
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => post({ type: 'order.created', payload: {}, idempotencyKey: racingKey }, keyed)),
    );
    expect(new Set(racing.map((response) => response.body.data.eventId)).size).toBe(1);
    expect(racing.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 201]);

    // The same key in another tenant is another event.
    const other = await api.newTenant();
    const theirs = await post({ type: 'order.created', payload: {}, idempotencyKey }, other).expect(201);
    expect(theirs.body.data.eventId).not.toBe(first.body.data.eventId);
  });

  it('a replay plans and sends again a pending event whose creation stopped before its delivery rows were written', async () => {
    const keyed = await api.newTenant();
    const webhookId = await createWebhook(api, keyed);
    const idempotencyKey = `half-done-${randomUUID()}`;
    const first = await post({ type: 'order.created', payload: { n: 1 }, idempotencyKey }, keyed).expect(201);
    const eventId = first.body.data.eventId;
    // What a database outage between the event's insert and its rows leaves behind (the roll-back failing too).
    const connection = api.app.get<Connection>(getConnectionToken());
    await connection.collection('deliveries').deleteMany({ eventId });

    await post({ type: 'order.created', payload: { n: 1 }, idempotencyKey }, keyed).expect(200);

    const status = await api.http().get(`/v1/webhooks/events/${eventId}/status`).set(keyed.auth).expect(200);
    expect(status.body.data.webhooks).toEqual([expect.objectContaining({ webhookId, status: 'pending', attempts: 0 })]);
    const published = await commands.forEvent(eventId, 2);
    expect(new Set(published.map((read) => read.command.commandId))).toEqual(
      new Set([`initial:${eventId}:${webhookId}`]),
    );
  });

  it.each([
    [{ payload: {} }, 400, 'type must be 1-128 characters of letters, digits and _ . : -'],
    [{ type: 'has space', payload: {} }, 400, 'type must be 1-128 characters of letters, digits and _ . : -'],
    [{ type: 'a' }, 400, 'payload must be a JSON object'],
    [{ type: 'a', payload: [1, 2] }, 400, 'payload must be a JSON object'],
    [{ type: 'a', payload: 'text' }, 400, 'payload must be a JSON object'],
    [{ type: 'a', payload: {}, idempotencyKey: '' }, 400, 'idempotencyKey must be a string of 1-200 characters'],
    [{ type: 'a', payload: {}, tenantId: 'someone-else' }, 400, 'property tenantId should not exist'],
    [{ type: { $gt: '' }, payload: {} }, 400, 'type must be 1-128 characters of letters, digits and _ . : -'],
  ])('rejects %p', async (body, status, message) => {
    const response = await post(body).expect(status);
    expect(response.body).toEqual({ message });
  });

  it('refuses a payload over 256 KiB with 413', async () => {
    // The default API_BODY_LIMIT_BYTES (320 KiB) admits the body, so the payload rule is what refuses it.
    const payload = { blob: 'x'.repeat(MAX_EVENT_PAYLOAD_BYTES) };
    const response = await post({ type: 'big.one', payload }).expect(413);
    expect(response.body).toEqual({ message: `payload must be at most ${MAX_EVENT_PAYLOAD_BYTES} bytes of JSON` });
  });

  it('lists events newest first with filters', async () => {
    const lister = await api.newTenant();
    const first = await createEvent(api, lister, 'a.one');
    const second = await createEvent(api, lister, 'b.two');
    const third = await createEvent(api, lister, 'a.one');
    const list = await api.http().get('/v1/webhooks/events').set(lister.auth).expect(200);
    expect(list.body).toEqual({
      success: true,
      data: {
        items: [third, second, first].map((eventId) => ({
          eventId,
          type: expect.any(String),
          status: 'delivered',
          webhookCount: 0,
          createdAt: expect.any(String),
        })),
        nextCursor: null,
      },
    });
    const byType = await api.http().get('/v1/webhooks/events?type=a.one').set(lister.auth).expect(200);
    expect(byType.body.data.items.map((item: { eventId: string }) => item.eventId)).toEqual([third, first]);
    const byStatus = await api.http().get('/v1/webhooks/events?status=failed').set(lister.auth).expect(200);
    expect(byStatus.body.data.items).toEqual([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    const fromFuture = await api.http().get(`/v1/webhooks/events?from=${future}`).set(lister.auth).expect(200);
    expect(fromFuture.body.data.items).toEqual([]);
    const untilFuture = await api.http().get(`/v1/webhooks/events?to=${future}&limit=1`).set(lister.auth).expect(200);
    expect(untilFuture.body.data.items).toHaveLength(1);
    expect(untilFuture.body.data.nextCursor).toEqual(expect.any(String));
  });

  it.each([
    ['limit=0', 'limit must be an integer between 1 and 100'],
    ['limit=101', 'limit must be an integer between 1 and 100'],
    ['limit=abc', 'limit must be an integer between 1 and 100'],
    ['cursor=bm9wZQ', 'cursor is invalid'],
    ['status=lost', 'status must be one of pending, delivering, delivered, partially_delivered, failed'],
    [
      'status=failed&status=pending',
      'status must be one of pending, delivering, delivered, partially_delivered, failed',
    ],
    ['type[$gt]=', 'property type[$gt] should not exist'],
    ['from=yesterday', 'from must be an ISO 8601 date-time'],
    ['extra=1', 'property extra should not exist'],
  ])('rejects the list query %s', async (query, message) => {
    const response = await api.http().get(`/v1/webhooks/events?${query}`).set(tenant.auth).expect(400);
    expect(response.body).toEqual({ message });
  });

  it('walks every page and sees each event exactly once while new events keep arriving', async () => {
    const walker = await api.newTenant();
    const existing: string[] = [];
    for (let index = 0; index < 23; index += 1) existing.push(await createEvent(api, walker, 'walk.event'));

    let inserting = true;
    const insertedMeanwhile: Promise<string>[] = [];
    const inserter = (async () => {
      while (inserting) {
        insertedMeanwhile.push(createEvent(api, walker, 'walk.event'));
        await sleep(5);
      }
    })();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=5&cursor=${cursor}` : 'limit=5';
      const page = await api.http().get(`/v1/webhooks/events?${query}`).set(walker.auth).expect(200);
      seen.push(...page.body.data.items.map((item: { eventId: string }) => item.eventId));
      cursor = page.body.data.nextCursor;
      await sleep(20);
    } while (cursor);
    inserting = false;
    await inserter;
    const lateIds = new Set(await Promise.all(insertedMeanwhile));

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((eventId) => !lateIds.has(eventId)).sort()).toEqual([...existing].sort());
    expect(lateIds.size).toBeGreaterThan(0);
  });

  describe('logs', () => {
    it('lists no attempts for a fresh event, and validates its query', async () => {
      const eventId = await createEvent(api, tenant, 'logs.event');
      const logs = await api.http().get(`/v1/webhooks/events/${eventId}/logs`).set(tenant.auth).expect(200);
      expect(logs.body).toEqual({ success: true, data: { items: [], nextCursor: null } });
      const filtered = await api
        .http()
        .get(`/v1/webhooks/events/${eventId}/logs?limit=100&success=false&webhookId=${randomUUID()}`)
        .set(tenant.auth)
        .expect(200);
      expect(filtered.body.data.items).toEqual([]);
      for (const [query, message] of [
        ['cursor=garbage', 'cursor is invalid'],
        ['success=maybe', 'success must be true or false'],
        ['webhookId=12', 'webhookId must be a valid UUID'],
        ['limit=500', 'limit must be an integer between 1 and 100'],
      ]) {
        const response = await api
          .http()
          .get(`/v1/webhooks/events/${eventId}/logs?${query}`)
          .set(tenant.auth)
          .expect(400);
        expect(response.body).toEqual({ message });
      }
    });
  });

  it('answers 404 for an unknown event on every read route, and 400 for a bad id', async () => {
    for (const suffix of ['', '/status', '/logs']) {
      const missing = await api.http().get(`/v1/webhooks/events/${randomUUID()}${suffix}`).set(tenant.auth).expect(404);
      expect(missing.body).toEqual({ message: 'Event not found' });
      const bad = await api.http().get(`/v1/webhooks/events/nope${suffix}`).set(tenant.auth).expect(400);
      expect(bad.body).toEqual({ message: 'eventId must be a valid UUID' });
    }
  });
});
