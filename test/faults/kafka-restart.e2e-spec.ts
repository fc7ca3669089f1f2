import { AppProcess } from '../support/app-process';
import { sleep, waitFor } from '../support/wait-for';
import { DedicatedKafka } from './support/dedicated-infra';
import { firstDeliveryAfter } from './support/delivery-audit';
import { isRunning } from './support/fault-apps';
import { FaultHarness } from './support/fault-harness';
import { reportFigures, secondsBetween } from './support/figures';

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
  const harness = new FaultHarness('faults-kafka-restart', { kafka });
  let api: AppProcess;
  let dispatcher: AppProcess;

  beforeAll(async () => {
    await harness.setUp();
    api = await harness.startApi();
    // No STRANDED_DELIVERY_AFTER override: a command lost on the way to Kafka would leave its delivery
    // pending for the default 10 min and fail the audit below.
    dispatcher = await harness.startDispatcher('dispatcher');
  });

  afterAll(() => harness.tearDown());

  it('delivers and logs every event the API accepted across a broker restart', async () => {
    const { receiver } = harness;
    const { client } = await harness.newApiTenant(api, 'faults-kafka');
    const webhookId = await client.createWebhook(receiver.url('/kafka-restart'));

    const load = harness.startLoad(client, 'kafka-restart');
    await waitFor('deliveries to be flowing', () => receiver.requests.length >= 20, 60_000);

    const stoppedAt = Date.now();
    await kafka.stop();
    await sleep(3_000);
    await kafka.start();
    const backAt = Date.now();

    const acceptedAfterBack = await load.acceptsAgainAfter(backAt);
    await sleep(5_000);
    await load.stop();

    const expected = load.accepted.map(({ eventId }) => ({ eventId, webhookId }));
    const audit = await harness.audit(expected, '/kafka-restart', 180_000);

    reportFigures({
      fault: '2. Kafka broker restart under API load',
      commands: load.accepted.length,
      delivered: audit.delivered,
      logged: audit.logged,
      duplicates: audit.duplicates,
      recoverySeconds: firstDeliveryAfter(receiver.requests, backAt),
      notes: { brokerDownSeconds: secondsBetween(stoppedAt, backAt), ...load.outageNotes(backAt) },
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
