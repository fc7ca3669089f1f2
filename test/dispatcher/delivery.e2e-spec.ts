import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DeadLetterV1, KafkaTopic } from '@app/contracts';
import { AppProcess, freePort } from '../support/app-process';
import { TestKafka } from '../support/kafka-client';
import { hang, respondAfter, respondInSequence, respondWith, TestReceiver } from '../support/receiver';
import { newSecret, TestDatabase } from '../support/test-database';
import { startTestDispatcher } from '../support/test-dispatcher';
import { waitFor } from '../support/wait-for';

/**
 * The dispatcher as other services and the API use it: commands go into Kafka, signed POSTs come out at
 * a real receiver, and every attempt shows up in MongoDB. The SSRF guard is on; only the receiver's own
 * port is allow-listed.
 */
describe('Dispatcher delivery (real Kafka, FerretDB and HTTP receivers)', () => {
  // Each test has its own tenant: a command without webhookId fans out to all of a tenant's webhooks.
  let tenantId: string;
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: TestReceiver;
  let closedPort: number;
  let dispatcher: AppProcess;

  beforeAll(async () => {
    db = await TestDatabase.connect('dispatcher_delivery');
    kafka = new TestKafka();
    receiver = await new TestReceiver().start();
    closedPort = await freePort();
    dispatcher = await startTestDispatcher('dispatcher-delivery', db.uri, {
      ALLOW_PRIVATE_TARGETS: 'false',
      PRIVATE_TARGET_ALLOWLIST: `127.0.0.1:${receiver.port},127.0.0.1:${closedPort}`,
      RETRY_SCHEDULE: '300ms,300ms,300ms',
      RETRY_JITTER: '0',
      RETRY_THROTTLED_MIN_DELAY: '500ms',
      RETRY_AFTER_MAX: '5s',
      DELIVERY_TIMEOUT: '1500ms',
      DELIVERY_CONNECT_TIMEOUT: '1s',
      ENDPOINT_CONCURRENCY: '2',
    });
  });

  beforeEach(() => {
    tenantId = `tenant-${randomUUID()}`;
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await receiver?.stop();
    await kafka?.close();
    await db?.close();
  });

  const command = (eventId: string, webhookId?: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ version: 1, eventId, ...(webhookId ? { webhookId } : {}), ...extra });

  const attemptsOf = (eventId: string, count: number) =>
    waitFor(`${count} attempt(s) of ${eventId}`, async () => {
      const attempts = await db.attemptsOf(eventId);
      return attempts.length >= count ? attempts : undefined;
    });

  it('delivers a command another service published straight to Kafka, signed so standardwebhooks verifies it', async () => {
    const webhook = await db.createWebhook(tenantId, receiver.url('/direct'));
    const event = await db.createEvent(tenantId, 'invoice.paid', { amount: 42, 'a.b': { $gt: 1 } }, [webhook]);

    await kafka.publish(KafkaTopic.DeliveryCommands, [{ key: event._id, value: command(event._id) }]);

    const [request] = await waitFor(
      'the POST at the receiver',
      () => receiver.received('/direct')[0] && receiver.received('/direct'),
    );
    const verified = new Webhook(webhook.signingSecrets[0].secret).verify(
      request.body,
      request.headers as Record<string, string>,
    );
    expect(verified).toEqual({
      id: event._id,
      type: 'invoice.paid',
      timestamp: event.createdAt.toISOString(),
      data: { amount: 42, 'a.b': { $gt: 1 } },
    });
    expect(request.headers['webhook-id']).toBe(event._id);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^WebhookDelivery\//);

    const [attempt] = await attemptsOf(event._id, 1);
    expect(attempt).toMatchObject({
      webhookId: webhook._id,
      success: true,
      statusCode: 200,
      trigger: 'manual',
      attemptNumber: 1,
    });
    expect(attempt.commandId).toMatch(/^kafka:webhooks\.delivery-commands\.v1:\d+:\d+$/);
    await waitFor('the event to be delivered', async () => (await db.eventById(event._id))?.status === 'delivered');
    expect(await db.deliveryOf(event._id, webhook._id)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      nextAttemptAt: null,
    });
  });

  it('retries a 500 automatically and records both attempts', async () => {
    receiver.on('/flaky', respondInSequence(500, 200));
    const webhook = await db.createWebhook(tenantId, receiver.url('/flaky'));
    const event = await db.createEvent(tenantId, 'order.created', { id: 1 }, [webhook]);

    await kafka.publish(KafkaTopic.DeliveryCommands, [
      { key: event._id, value: command(event._id, webhook._id, { trigger: 'initial', commandId: randomUUID() }) },
    ]);

    const attempts = await attemptsOf(event._id, 2);
    expect(attempts.map(({ trigger, statusCode, success }) => ({ trigger, statusCode, success }))).toEqual([
      { trigger: 'initial', statusCode: 500, success: false },
      { trigger: 'automatic', statusCode: 200, success: true },
    ]);
    expect(receiver.received('/flaky')[0].headers['webhook-id']).toBe(
      receiver.received('/flaky')[1].headers['webhook-id'],
    );
    await waitFor(
      'the delivery to be delivered',
      async () => (await db.deliveryOf(event._id, webhook._id))?.status === 'delivered',
    );
  });

  it('records timeouts and refused connections with their error kind, then gives up after the schedule', async () => {
    receiver.on('/hang', hang);
    const hanging = await db.createWebhook(tenantId, receiver.url('/hang'));
    const refused = await db.createWebhook(tenantId, `http://127.0.0.1:${closedPort}/nobody`);
    const event = await db.createEvent(tenantId, 'order.created', { id: 2 }, [hanging, refused]);

    await kafka.publish(KafkaTopic.DeliveryCommands, [
      { key: event._id, value: command(event._id, undefined, { trigger: 'initial' }) },
    ]);

    const attempts = await waitFor(
      'both deliveries to fail for good',
      async () => {
        const statuses = await Promise.all([
          db.deliveryOf(event._id, hanging._id),
          db.deliveryOf(event._id, refused._id),
        ]);
        return statuses.every((delivery) => delivery?.status === 'failed') && db.attemptsOf(event._id);
      },
      60_000,
    );
    const kinds = (webhookId: string) =>
      attempts.filter((each) => each.webhookId === webhookId).map((each) => each.errorKind);
    expect(kinds(hanging._id)).toEqual(['timeout', 'timeout', 'timeout', 'timeout']);
    expect(kinds(refused._id)).toEqual([
      'connection_refused',
      'connection_refused',
      'connection_refused',
      'connection_refused',
    ]);
    await waitFor('the event to be failed', async () => (await db.eventById(event._id))?.status === 'failed');
  });

  it('rolls an event up to partially delivered from its targets, and one stored before events listed them from its rows', async () => {
    const rollUpTenant = `rollup-${randomUUID()}`;
    receiver.on('/roll-up', respondWith(200));
    const ok = await db.createWebhook(rollUpTenant, receiver.url('/roll-up'));
    const refused = await db.createWebhook(rollUpTenant, `http://127.0.0.1:${closedPort}/nobody`);
    const current = await db.createEvent(rollUpTenant, 'order.created', { id: 7 }, [ok, refused]);
    const older = await db.createEvent(rollUpTenant, 'order.created', { id: 8 }, [ok, refused]);
    await db.events.updateOne({ _id: older._id }, { $unset: { targets: 1 } });

    await kafka.publish(
      KafkaTopic.DeliveryCommands,
      [current, older].map((event) => ({
        key: event._id,
        value: command(event._id, undefined, { trigger: 'initial' }),
      })),
    );

    for (const event of [current, older]) {
      await waitFor(
        `event ${event._id} to be partially delivered`,
        async () => (await db.eventById(event._id))?.status === 'partially_delivered',
        60_000,
      );
    }
    const targets = (await db.eventById(current._id))?.targets;
    expect(new Map(targets?.map(({ webhookId, status }) => [webhookId, status]))).toEqual(
      new Map([
        [ok._id, 'delivered'],
        [refused._id, 'failed'],
      ]),
    );
    expect((await db.eventById(older._id))?.targets).toBeUndefined();
  });

  it('treats a redirect as a failure, disables a webhook that answers 410, and honours Retry-After on 429', async () => {
    // To a path this receiver answers (and whose port is allow-listed): not following it is a choice.
    receiver.on('/redirect', respondWith(302, '', { location: receiver.url('/elsewhere') }));
    receiver.on('/gone', respondWith(410, 'gone'));
    let throttled = 0;
    receiver.on('/throttle', (_request, response) => {
      throttled += 1;
      response.writeHead(throttled === 1 ? 429 : 200, throttled === 1 ? { 'retry-after': '2' } : {});
      response.end();
    });
    const redirecting = await db.createWebhook(tenantId, receiver.url('/redirect'));
    const gone = await db.createWebhook(tenantId, receiver.url('/gone'));
    const throttling = await db.createWebhook(tenantId, receiver.url('/throttle'));
    const event = await db.createEvent(tenantId, 'order.created', { id: 3 }, [redirecting, gone, throttling]);

    await kafka.publish(KafkaTopic.DeliveryCommands, [
      { key: event._id, value: command(event._id, undefined, { trigger: 'initial' }) },
    ]);

    await waitFor(
      'the throttled webhook to succeed',
      async () => (await db.deliveryOf(event._id, throttling._id))?.status === 'delivered',
    );
    const attempts = await db.attemptsOf(event._id);
    const redirectAttempt = attempts.find((each) => each.webhookId === redirecting._id)!;
    expect(redirectAttempt).toMatchObject({ success: false, statusCode: 302 });
    expect(receiver.requests.some((request) => request.path === '/elsewhere')).toBe(false);

    const goneAttempts = attempts.filter((each) => each.webhookId === gone._id);
    expect(goneAttempts).toHaveLength(1);
    expect(goneAttempts[0]).toMatchObject({ statusCode: 410, success: false });
    const disabled = await waitFor('the 410 webhook to be disabled', async () => {
      const stored = await db.webhookById(gone._id);
      return stored?.active === false ? stored : undefined;
    });
    expect(disabled.disabledReason).toMatch(/410/);
    expect(await db.deliveryOf(event._id, gone._id)).toMatchObject({ status: 'failed', nextAttemptAt: null });

    const [first, second] = attempts.filter((each) => each.webhookId === throttling._id);
    expect(first.statusCode).toBe(429);
    expect(second.success).toBe(true);
    expect(second.startedAt.getTime() - first.startedAt.getTime()).toBeGreaterThanOrEqual(2_000);
  });

  it('keeps delivering to a fast endpoint while a slow one in the same partition works through its queue', async () => {
    receiver.on('/slow', respondAfter(1_000));
    const slow = await db.createWebhook(tenantId, receiver.url('/slow'));
    const fast = await db.createWebhook(tenantId, receiver.url('/fast'));
    const slowEvents = await Promise.all(
      Array.from({ length: 6 }, (_, index) => db.createEvent(tenantId, 'bulk', { index }, [slow])),
    );
    const fastEvent = await db.createEvent(tenantId, 'bulk', { fast: true }, [fast]);

    await kafka.publish(
      KafkaTopic.DeliveryCommands,
      slowEvents.map((event) => ({
        key: event._id,
        partition: 0,
        value: command(event._id, slow._id, { commandId: randomUUID() }),
      })),
    );
    await waitFor('the slow endpoint to be busy', () => receiver.received('/slow').length >= 2);
    await kafka.publish(KafkaTopic.DeliveryCommands, [
      { key: fastEvent._id, partition: 0, value: command(fastEvent._id, fast._id, { commandId: randomUUID() }) },
    ]);

    const [fastRequest] = await waitFor(
      'the fast delivery',
      () => receiver.received('/fast')[0] && receiver.received('/fast'),
    );
    // ENDPOINT_CONCURRENCY is 2: the third slow request can only start after the first two answered (1 s).
    // The fast one, published later on the same partition, must not wait for that.
    await waitFor('every slow delivery', () => receiver.received('/slow').length >= 6, 30_000);
    const thirdSlow = receiver.received('/slow')[2];
    expect(fastRequest.receivedAt).toBeLessThan(thirdSlow.receivedAt);
  });

  it('signs with both secrets during a rotation and drops an expired one', async () => {
    const now = Date.now();
    const current = newSecret();
    const rotatedOut = newSecret();
    const expired = newSecret();
    const webhook = await db.createWebhook(tenantId, receiver.url('/rotation'), {
      secrets: [
        { secret: current, createdAt: new Date(now), expiresAt: null },
        { secret: rotatedOut, createdAt: new Date(now - 60_000), expiresAt: new Date(now + 3_600_000) },
        { secret: expired, createdAt: new Date(now - 120_000), expiresAt: new Date(now - 1_000) },
      ],
    });
    const event = await db.createEvent(tenantId, 'secret.rotated', { ok: true }, [webhook]);

    await kafka.publish(KafkaTopic.DeliveryCommands, [{ key: event._id, value: command(event._id, webhook._id) }]);

    const [request] = await waitFor(
      'the POST',
      () => receiver.received('/rotation')[0] && receiver.received('/rotation'),
    );
    const headers = request.headers as Record<string, string>;
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(request.body, headers)).toMatchObject({ id: event._id });
    expect(new Webhook(rotatedOut).verify(request.body, headers)).toMatchObject({ id: event._id });
    expect(() => new Webhook(expired).verify(request.body, headers)).toThrow();
  });

  it('refuses private and loopback targets that are not allow-listed, whatever their spelling', async () => {
    // Nothing listens on this port and it is not allow-listed: a refusal must come from the guard
    // (blocked_target), not from the network (connection_refused).
    const port = await freePort();
    const targets = [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://localhost:${receiver.port}/`,
      `http://[::1]:${port}/`,
      `http://[::]:${port}/`,
      `http://127.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f000001:${port}/`,
      `http://0177.0.0.1:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://0.0.0.0:${port}/`,
    ];
    const webhooks = await Promise.all(targets.map((url) => db.createWebhook(tenantId, url)));
    const event = await db.createEvent(tenantId, 'ssrf.probe', {}, webhooks);
    const before = receiver.requests.length;

    await kafka.publish(KafkaTopic.DeliveryCommands, [
      { key: event._id, value: command(event._id, undefined, { commandId: randomUUID() }) },
    ]);

    const attempts = await waitFor('an attempt per target', async () => {
      const all = await db.attemptsOf(event._id);
      return new Set(all.map((attempt) => attempt.webhookId)).size === targets.length ? all : undefined;
    });
    expect(new Set(attempts.map((attempt) => attempt.errorKind))).toEqual(new Set(['blocked_target']));
    expect(receiver.requests.length).toBe(before);
  });

  it('dead-letters malformed commands with the reason and the original bytes, and the partition keeps flowing', async () => {
    const deadLetters = await kafka.collect(KafkaTopic.DeadLetter, { fromBeginning: true });
    const webhook = await db.createWebhook(tenantId, receiver.url('/after-poison'));
    const event = await db.createEvent(tenantId, 'after.poison', {}, [webhook]);
    const poison = [
      `{not json ${randomUUID()}`,
      JSON.stringify({ version: 2, eventId: event._id }),
      command(randomUUID()),
    ];

    await kafka.publish(KafkaTopic.DeliveryCommands, [
      ...poison.map((value) => ({ key: 'poison', partition: 5, value })),
      { key: event._id, partition: 5, value: command(event._id, webhook._id) },
    ]);

    await waitFor(
      'the command after the poison to be delivered',
      () => receiver.received('/after-poison').length === 1,
    );
    const letters = await waitFor('three dead letters', () => {
      const ours = deadLetters
        .map((message) => JSON.parse(message.value!.toString()) as DeadLetterV1)
        .filter((letter) => letter.sourceTopic === KafkaTopic.DeliveryCommands && letter.partition === 5)
        // Other suites' dead letters are on the topic too, some without a value at all.
        .filter((letter) => letter.valueBase64 !== null)
        .filter((letter) => poison.includes(Buffer.from(letter.valueBase64!, 'base64').toString()));
      return ours.length >= 3 ? ours : undefined;
    });
    // Dead letters of one partition are published as each reason is found, not in offset order.
    const reasonOf = (value: string) =>
      letters.find((letter) => Buffer.from(letter.valueBase64!, 'base64').toString() === value)?.reason;
    expect(letters).toHaveLength(3);
    expect(reasonOf(poison[0])).toMatch(/not valid JSON/);
    expect(reasonOf(poison[1])).toMatch(/version/);
    expect(reasonOf(poison[2])).toMatch(/unknown event/);
  });

  it('dead-letters commands too large to fit whole in a dead letter, cut and marked, and the partition keeps flowing', async () => {
    const deadLetters = await kafka.collect(KafkaTopic.DeadLetter, { fromBeginning: true });
    const webhook = await db.createWebhook(tenantId, receiver.url('/after-large-poison'));
    const event = await db.createEvent(tenantId, 'after.poison', {}, [webhook]);
    // Two ~600 KB values: their dead letters in base64 would not fit one Kafka request together.
    const marker = randomUUID();
    const large = [1, 2].map((index) => `${marker}-${index} ${'x'.repeat(600_000)}`);

    // One per request: together they are over the broker's limit for one request too.
    for (const value of large)
      await kafka.publish(KafkaTopic.DeliveryCommands, [{ key: 'large', partition: 6, value }]);
    await kafka.publish(KafkaTopic.DeliveryCommands, [
      { key: event._id, partition: 6, value: command(event._id, webhook._id) },
    ]);

    await waitFor(
      'the command after the large poison to be delivered',
      () => receiver.received('/after-large-poison').length === 1,
    );
    const letters = await waitFor('two truncated dead letters', () => {
      const ours = deadLetters
        .map((message) => JSON.parse(message.value!.toString()) as DeadLetterV1)
        .filter((letter) => letter.valueBase64?.startsWith(Buffer.from(`${marker}-`).toString('base64').slice(0, 40)));
      return ours.length >= 2 ? ours : undefined;
    });
    expect(letters).toHaveLength(2);
    for (const letter of letters) {
      expect(letter).toMatchObject({ valueTruncated: true, valueBytes: Buffer.byteLength(large[0]) });
      expect(letter.reason).toMatch(/not valid JSON/);
      expect(large.some((value) => value.startsWith(Buffer.from(letter.valueBase64!, 'base64').toString()))).toBe(true);
    }
  });
});
