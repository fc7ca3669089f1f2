import { randomUUID } from 'node:crypto';
import { KafkaMessage } from 'kafkajs';
import { DeadLetterV1, KafkaTopic, MAX_EVENT_PAYLOAD_BYTES } from '@app/contracts';
import { TestKafka } from '../support/kafka-client';
import { waitFor } from '../support/wait-for';
import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';
import { CommandReader } from './support/command-reader';
import { createWebhook } from './support/fixtures';

/**
 * Another service publishes events straight to `webhooks.events.v1` with a plain kafkajs producer. The
 * API takes them in like POST /v1/webhooks/events (same validation, same idempotency, same initial
 * commands) and dead-letters what can never be taken in. Every message is keyed by the tenant id, so one
 * tenant's messages share a partition and are taken in order: a valid message published last shows that
 * everything before it was processed.
 */
describe('Event intake from Kafka', () => {
  let api: ApiTestApp;
  let kafka: TestKafka;
  let commands: CommandReader;
  let deadLetters: KafkaMessage[];
  let tenant: TestTenant;
  let webhookId: string;

  beforeAll(async () => {
    // The tests poll the API while the consumer works; the per-token limit is not what they are about.
    api = await startApiTestApp('event_intake', { RATE_LIMIT_PER_MINUTE: '100000' });
    kafka = new TestKafka();
    deadLetters = await kafka.collect(KafkaTopic.DeadLetter, { fromBeginning: true });
    commands = await new CommandReader().start();
    tenant = await api.newTenant('intake');
    webhookId = await createWebhook(api, tenant, { eventTypes: ['order.created'] });
  });
  afterAll(async () => {
    await commands?.stop();
    await kafka?.close();
    await api?.close();
  });

  const publish = (key: string, ...values: (string | Buffer)[]) =>
    kafka.publish(
      KafkaTopic.Events,
      values.map((value) => ({ key, value })),
    );

  const message = (fields: Record<string, unknown> = {}) =>
    JSON.stringify({ version: 1, tenantId: tenant.tenantId, type: 'order.created', payload: { n: 1 }, ...fields });

  /** The tenant's events as the list endpoint shows them (newest first). */
  const listed = async (who = tenant): Promise<{ eventId: string; type: string }[]> =>
    (await api.http().get('/v1/webhooks/events?limit=100').set(who.auth).expect(200)).body.data.items;

  const eventByKey = async (idempotencyKey: string, who = tenant) =>
    waitFor(`the event with idempotency key ${idempotencyKey}`, async () => {
      for (const { eventId } of await listed(who)) {
        const detail = await api.http().get(`/v1/webhooks/events/${eventId}`).set(who.auth).expect(200);
        if (detail.body.data.idempotencyKey === idempotencyKey) return detail.body.data;
      }
      return undefined;
    });

  /** Waits until the consumer created the event with this id, and returns it as GET shows it. */
  const eventById = (eventId: string, who = tenant) =>
    waitFor(`event ${eventId}`, async () => {
      const response = await api.http().get(`/v1/webhooks/events/${eventId}`).set(who.auth);
      return response.status === 200 ? response.body.data : undefined;
    });

  const deadLetterOf = (value: string | Buffer) =>
    waitFor('the dead letter', () => {
      const original = Buffer.from(value).toString('base64');
      const found = deadLetters
        .map((letter) => JSON.parse(letter.value!.toString()) as DeadLetterV1)
        .filter((letter) => letter.valueBase64 === original);
      return found.length > 0 ? found : undefined;
    });

  it('creates a published event and publishes its initial delivery command', async () => {
    const idempotencyKey = `order-${randomUUID()}`;
    await publish(
      tenant.tenantId,
      message({ idempotencyKey, payload: { orderId: 'o-1', 'a.b': 1, $c: 2 }, occurredAt: new Date().toISOString() }),
    );

    const event = await eventByKey(idempotencyKey);
    expect(event).toEqual({
      eventId: expect.any(String),
      type: 'order.created',
      status: 'pending',
      webhookCount: 1,
      payload: { orderId: 'o-1', 'a.b': 1, $c: 2 },
      idempotencyKey,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const [read] = await commands.forEvent(event.eventId, 1);
    expect(read.key).toBe(event.eventId);
    expect(read.command).toEqual({
      version: 1,
      commandId: expect.any(String),
      eventId: event.eventId,
      webhookId,
      trigger: 'initial',
      requestedBy: expect.stringMatching(/^kafka:webhooks\.events\.v1:\d+:\d+$/),
      requestedAt: expect.any(String),
    });
    const status = await api.http().get(`/v1/webhooks/events/${event.eventId}/status`).set(tenant.auth).expect(200);
    expect(status.body.data.webhooks).toEqual([expect.objectContaining({ webhookId, status: 'pending' })]);
  });

  it('takes the event id a publisher chose', async () => {
    const eventId = randomUUID();
    await publish(tenant.tenantId, message({ eventId, type: 'order.shipped' }));
    const detail = await eventById(eventId);
    expect(detail).toMatchObject({ eventId, type: 'order.shipped', idempotencyKey: eventId, webhookCount: 0 });
  });

  it('creates nothing new when a message is replayed', async () => {
    const replayer = await api.newTenant('replayer');
    const hook = await createWebhook(api, replayer);
    const body = (fields: Record<string, unknown>) =>
      JSON.stringify({ version: 1, tenantId: replayer.tenantId, type: 'invoice.paid', payload: { n: 1 }, ...fields });
    const idempotencyKey = `invoice-${randomUUID()}`;
    const eventId = randomUUID();
    const byKey = body({ idempotencyKey });
    const byId = body({ eventId });

    await publish(replayer.tenantId, byKey, byId);
    const first = await eventByKey(idempotencyKey, replayer);
    await eventById(eventId, replayer);
    // The same bytes again (a publisher retrying, or a consumer re-reading), then a marker behind them.
    const marker = randomUUID();
    await publish(replayer.tenantId, byKey, byId, byKey, body({ eventId: marker }));
    await eventById(marker, replayer);

    const events = await listed(replayer);
    expect(events.map((event) => event.eventId).sort()).toEqual([first.eventId, eventId, marker].sort());
    // No dispatcher runs here, so both events are still pending: a replay publishes their initial command
    // again (in case the first publish was lost), always under the same id, which a dispatcher takes once.
    for (const id of [first.eventId, eventId]) {
      const published = await commands.forEvent(id, 1);
      expect(new Set(published.map(({ command }) => command.commandId))).toEqual(new Set([`initial:${id}:${hook}`]));
      for (const { command } of published) expect(command).toMatchObject({ webhookId: hook, trigger: 'initial' });
    }
  });

  describe('dead-letters what can never be taken in, and the partition keeps flowing', () => {
    const cases: [string, () => string | Buffer, string | RegExp][] = [
      ['malformed JSON', () => `{"version":1,"tenantId":"${tenant.tenantId}",`, /^value is not valid JSON: /],
      ['a JSON array', () => `["${randomUUID()}"]`, 'value must be a JSON object'],
      [
        'a bad event type',
        () => message({ type: 'has space', idempotencyKey: randomUUID() }),
        'schema violation: type must be 1-128 characters of letters, digits and _ . : -',
      ],
      [
        'a payload that is not an object',
        () => message({ payload: [randomUUID()] }),
        'schema violation: payload must be an object',
      ],
      [
        'an unknown version',
        () => message({ version: 2, idempotencyKey: randomUUID() }),
        'schema violation: version must be one of the following values: 1',
      ],
      [
        'an empty idempotency key',
        () => message({ idempotencyKey: '', eventId: randomUUID() }),
        'schema violation: idempotencyKey must be longer than or equal to 1 characters',
      ],
      [
        'an unknown tenant',
        () => message({ tenantId: `nobody-${randomUUID()}` }),
        /^unknown tenant "nobody-[0-9a-f-]{36}"$/,
      ],
      [
        'a payload over 256 KiB',
        () => message({ payload: { blob: 'x'.repeat(MAX_EVENT_PAYLOAD_BYTES) } }),
        `payload must be at most ${MAX_EVENT_PAYLOAD_BYTES} bytes of JSON`,
      ],
    ];

    it.each(cases)('%s', async (_label, value, reason) => {
      const bytes = value();
      const before = (await listed()).length;
      const after = randomUUID();
      await publish(tenant.tenantId, bytes, message({ eventId: after }));

      const [letter] = await deadLetterOf(bytes);
      expect(letter).toEqual({
        version: 1,
        sourceTopic: KafkaTopic.Events,
        partition: expect.any(Number),
        offset: expect.stringMatching(/^\d+$/),
        reason: typeof reason === 'string' ? reason : expect.stringMatching(reason),
        failedAt: expect.any(String),
        keyBase64: Buffer.from(tenant.tenantId).toString('base64'),
        valueBase64: Buffer.from(bytes).toString('base64'),
      });
      // The message behind it was taken in, and the bad one created nothing.
      await eventById(after);
      expect(await listed()).toHaveLength(before + 1);
    });

    it('an event id that already names another event', async () => {
      const eventId = randomUUID();
      await publish(tenant.tenantId, message({ eventId }));
      await eventById(eventId);
      const clash = message({ eventId, idempotencyKey: `other-${randomUUID()}` });
      await publish(tenant.tenantId, clash);
      const [letter] = await deadLetterOf(clash);
      expect(letter.reason).toBe(`eventId ${eventId} already names another event`);
    });
  });
});
