import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { KafkaTopic } from '@app/contracts';
import { AppProcess, freePort } from '../support/app-process';
import { testKafkaBrokers } from '../support/infra';
import { TestKafka } from '../support/kafka-client';
import { respondWith, TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

/**
 * The SSRF guard with ALLOW_PRIVATE_TARGETS off, as an attacker who registers webhook URLs would probe
 * it: every refusal must show up as `blocked_target` in the delivery log the dispatcher persisted.
 *
 * Loopback spellings (127.0.0.1, 127.1, 0.0.0.0, [::1], [::], 2130706433, 0x7f000001, 0177.0.0.1,
 * [::ffff:127.0.0.1]) and `localhost` are proven in test/dispatcher/delivery.e2e-spec.ts ('refuses
 * private and loopback targets...'), which runs with the same settings; this suite covers the rest.
 */
describe('SSRF guard (ALLOW_PRIVATE_TARGETS=false)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  /** The one loopback receiver on PRIVATE_TARGET_ALLOWLIST. */
  let receiver: TestReceiver;
  /** Also on loopback, not allow-listed: anything that reaches it got past the guard. */
  let canary: TestReceiver;
  let dispatcher: AppProcess;
  let tenantId: string;

  beforeAll(async () => {
    db = await TestDatabase.connect('security_ssrf');
    kafka = new TestKafka();
    [receiver, canary] = await Promise.all([new TestReceiver().start(), new TestReceiver().start()]);
    dispatcher = await new AppProcess(
      'dispatcher',
      await freePort(),
      {
        KAFKA_BROKERS: testKafkaBrokers(),
        MONGODB_URI: db.uri,
        ALLOW_PRIVATE_TARGETS: 'false',
        PRIVATE_TARGET_ALLOWLIST: `127.0.0.1:${receiver.port}`,
        // A target that slipped through would time out against an unrouted private address: keep that short.
        DELIVERY_CONNECT_TIMEOUT: '1s',
        DELIVERY_TIMEOUT: '2s',
        RETRY_SCHEDULE: '1h',
        RETRY_JITTER: '0',
      },
      `security-ssrf-dispatcher-${process.pid}`,
    ).start();
  });

  beforeEach(() => {
    tenantId = `ssrf-${randomUUID()}`;
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await Promise.all([receiver?.stop(), canary?.stop()]);
    await kafka?.close();
    await db?.close();
  });

  /** Delivers one event to webhooks at `urls` (one manual attempt each); returns each URL's attempt. */
  async function deliverTo(urls: string[]) {
    const webhooks = await Promise.all(urls.map((url) => db.createWebhook(tenantId, url)));
    const event = await db.createEvent(tenantId, 'ssrf.probe', { probe: true }, webhooks);
    await kafka.publish(KafkaTopic.DeliveryCommands, [
      { key: event._id, value: JSON.stringify({ version: 1, eventId: event._id, commandId: randomUUID() }) },
    ]);
    const attempts = await waitFor(`an attempt per target of ${event._id}`, async () => {
      const all = await db.attemptsOf(event._id);
      return new Set(all.map((attempt) => attempt.webhookId)).size === urls.length ? all : undefined;
    });
    return new Map(
      webhooks.map((webhook) => [webhook.url, attempts.find((attempt) => attempt.webhookId === webhook._id)!]),
    );
  }

  const kindsByUrl = (attempts: Awaited<ReturnType<typeof deliverTo>>) =>
    Object.fromEntries([...attempts].map(([url, attempt]) => [url, attempt.errorKind]));

  it('refuses private, link-local, CGNAT, multicast, ULA and IPv4-in-IPv6 targets', async () => {
    const port = canary.port;
    const urls = [
      `http://10.0.0.1:${port}/`,
      `http://172.16.0.1:${port}/`,
      `http://192.168.1.1:${port}/`,
      `http://100.64.0.1:${port}/`,
      `http://169.254.169.254/latest/meta-data/`,
      `http://224.0.0.1:${port}/`,
      `http://[fd00::1]:${port}/`,
      `http://[fe80::1]:${port}/`,
      `http://[64:ff9b::a00:1]:${port}/`,
      `http://[2002:7f00:1::]:${port}/`,
      // Loopback again, in IPv6 spellings the delivery suite does not use; these would reach the canary.
      `http://[::ffff:7f00:1]:${port}/`,
      `http://[::127.0.0.1]:${port}/`,
      `http://[0:0:0:0:0:ffff:127.0.0.1]:${port}/`,
      // Found getting through while writing this suite, fixed in address-policy.ts.
      `http://[::ffff:0:127.0.0.1]:${port}/`,
      `http://[64:ff9b:1::a00:1]:${port}/`,
    ];

    const attempts = await deliverTo(urls);

    expect(kindsByUrl(attempts)).toEqual(Object.fromEntries(urls.map((url) => [url, 'blocked_target'])));
    for (const attempt of attempts.values()) expect(attempt).toMatchObject({ success: false, statusCode: null });
    expect(canary.requests).toEqual([]);
  });

  it('refuses a host name that resolves to a private address (the machine’s own name, via /etc/hosts)', async () => {
    // No outside DNS here and no resolver override in the config: the host's own name is the one name
    // besides `localhost` (covered by the delivery suite) that resolves locally on a typical machine.
    const name = hostname();
    const resolved = await lookup(name, { all: true }).catch(() => []);
    const loopback = ({ address }: { address: string }) => address.startsWith('127.') || address === '::1';
    if (resolved.length === 0 || !resolved.every(loopback)) {
      console.warn(`${name} does not resolve to loopback here; the delivery suite's localhost case stands alone`);
      return;
    }
    const url = `http://${name}:${canary.port}/`;

    const attempts = await deliverTo([url]);

    expect(attempts.get(url)).toMatchObject({ errorKind: 'blocked_target', success: false });
    expect(attempts.get(url)!.errorMessage).toBe(`${name} resolves to an address that is not allowed`);
    expect(canary.requests).toEqual([]);
  });

  it('reaches the loopback receiver only as allow-listed (host and port), and the loopback next door not at all', async () => {
    const allowed = receiver.url(`/allowed-${randomUUID()}`);
    const neighbour = canary.url('/neighbour');

    const attempts = await deliverTo([allowed, neighbour]);

    expect(attempts.get(allowed)).toMatchObject({ success: true, statusCode: 200 });
    expect(attempts.get(neighbour)).toMatchObject({ errorKind: 'blocked_target', success: false });
    expect(receiver.received(new URL(allowed).pathname)).toHaveLength(1);
    expect(canary.requests).toEqual([]);
  });

  it('does not follow a redirect, neither to a private address nor back to the allow-listed receiver', async () => {
    const toCanary = `/redirect-out-${randomUUID()}`;
    const toSelf = `/redirect-home-${randomUUID()}`;
    const landing = `/landing-${randomUUID()}`;
    receiver.on(toCanary, respondWith(302, '', { location: canary.url('/metadata') }));
    receiver.on(toSelf, respondWith(307, '', { location: receiver.url(landing) }));

    const attempts = await deliverTo([receiver.url(toCanary), receiver.url(toSelf)]);

    expect(attempts.get(receiver.url(toCanary))).toMatchObject({ success: false, statusCode: 302 });
    expect(attempts.get(receiver.url(toSelf))).toMatchObject({ success: false, statusCode: 307 });
    expect(receiver.received(toCanary)).toHaveLength(1);
    expect(receiver.received(landing)).toEqual([]);
    expect(canary.requests).toEqual([]);
  });
});
