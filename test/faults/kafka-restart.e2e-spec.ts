import { randomUUID } from 'node:crypto';
import { issueTokenWithCli } from '../console/support/issue-token';
import { AppProcess } from '../support/app-process';
import { TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { sleep, waitFor } from '../support/wait-for';
import { DedicatedKafka } from './support/dedicated-infra';
import { auditDeliveries, firstDeliveryAfter } from './support/delivery-audit';
import { EventLoad } from './support/event-load';
import { ApiClient, AppFleet, FAST_DISPATCHER_ENV, isRunning, LOAD_API_ENV } from './support/fault-apps';
import { reportFigures, secondsSince } from './support/figures';

/** Its own broker (ports and data dir), so restarting it never touches the stack other suites share. */
const KAFKA_PORT = 29592;
const KAFKA_DATA_DIR = '.run/faults-kafka-restart/kafka';

jest.setTimeout(300_000);

/**
 * Fault 2: the Kafka broker restarts while clients post events through the API (which publishes their
 * delivery commands) and the dispatcher consumes them. While it is down the API answers 503 and clients
 * retry with the same idempotency key; once it is back, every event the API accepted is delivered and
 * logged, and the apps recover without a restart of their own.
 */
describe('Fault: the Kafka broker restarts under load', () => {
  const kafka = new DedicatedKafka(KAFKA_PORT, KAFKA_DATA_DIR);
  let db: TestDatabase;
  let receiver: TestReceiver;
  let api: AppProcess;
  let dispatcher: AppProcess;
  const fleet = new AppFleet();
  let load: EventLoad | undefined;

  beforeAll(async () => {
    await kafka.startFresh();
    db = await TestDatabase.connect('faults_kafka_restart');
    receiver = await new TestReceiver().start();
    const shared = { KAFKA_BROKERS: kafka.brokers, MONGODB_URI: db.uri };
    api = await fleet.start('api', { ...LOAD_API_ENV, ...shared }, 'faults-kafka-restart-api');
    dispatcher = await fleet.start(
      'dispatcher',
      { ...FAST_DISPATCHER_ENV, ...shared },
      'faults-kafka-restart-dispatcher',
    );
  });

  afterAll(async () => {
    await load?.stop();
    await fleet.killAll();
    await receiver?.stop();
    await db?.close();
    await kafka.stop();
  });

  it('delivers and logs every event the API accepted across a broker restart', async () => {
    const tenantId = `faults-kafka-${randomUUID().slice(0, 8)}`;
    const token = await issueTokenWithCli({ KAFKA_BROKERS: kafka.brokers, MONGODB_URI: db.uri }, tenantId);
    const client = new ApiClient(api.port, token);
    const webhookId = await client.createWebhook(receiver.url('/kafka-restart'));

    load = new EventLoad(client, `kafka-restart-${randomUUID().slice(0, 8)}`).start();
    await waitFor('deliveries to be flowing', () => receiver.requests.length >= 20, 60_000);

    const stoppedAt = Date.now();
    await kafka.stop();
    await sleep(3_000);
    await kafka.start();
    const backAt = Date.now();
    const downSeconds = Math.round((backAt - stoppedAt) / 100) / 10;

    const acceptedAfterBack = await waitFor(
      'an event accepted after the broker is back',
      () => load!.accepted.some((event) => event.acceptedAt > backAt),
      90_000,
      250,
    ).catch(() => false);
    await sleep(5_000);
    await load.stop();

    const expected = load.accepted.map(({ eventId }) => ({ eventId, webhookId }));
    const audit = await auditDeliveries(db.attempts, expected, () => receiver.received('/kafka-restart'), 180_000);
    const firstAcceptedAfter = load.accepted.find((event) => event.acceptedAt > backAt);

    reportFigures({
      fault: '2. Kafka broker restart under API load',
      commands: load.accepted.length,
      delivered: audit.delivered,
      logged: audit.logged,
      duplicates: audit.duplicates,
      recoverySeconds: firstDeliveryAfter(receiver.requests, backAt),
      notes: {
        brokerDownSeconds: downSeconds,
        answers: JSON.stringify(Object.fromEntries(load.answers)),
        firstAcceptAfterBackSeconds: firstAcceptedAfter
          ? Math.round((firstAcceptedAfter.acceptedAt - backAt) / 100) / 10
          : 'never',
        unexpectedAnswers: JSON.stringify(load.unexpected.slice(0, 3)),
        abandoned: load.abandoned.length,
        drainSecondsAfterBack: secondsSince(backAt),
      },
    });

    expect(isRunning(api)).toBe(true);
    expect(isRunning(dispatcher)).toBe(true);
    expect(acceptedAfterBack).toBe(true);
    expect(load.abandoned).toEqual([]);
    expect(load.unexpected.filter((answer) => answer.status.startsWith('5'))).toEqual([]);
    expect(audit.missing).toEqual([]);
    expect(audit.logged).toBe(expected.length);
    expect(audit.loggedTwice).toBe(0);
    // No process crashed, so the README's duplicate window (a crash between POST and claim) never opened.
    expect(audit.duplicates).toBe(0);
  });
});
