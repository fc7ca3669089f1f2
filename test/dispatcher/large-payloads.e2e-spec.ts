import { randomUUID } from 'node:crypto';
import { KafkaTopic, MAX_EVENT_PAYLOAD_BYTES } from '@app/contracts';
import { AppProcess } from '../support/app-process';
import { TestKafka } from '../support/kafka-client';
import { respondAfter, TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { startTestDispatcher } from '../support/test-dispatcher';
import { waitFor } from '../support/wait-for';

const EVENTS = 500;
const HEAP_MB = 96;

/**
 * A dispatcher's deliveries in flight each hold their event while they wait for their endpoint. 500 events
 * of nearly the largest payload (125 MB in all) queue behind a slow endpoint for a dispatcher with a 96 MB
 * heap: counted by number alone (at most 1,000 in flight) they would all be read at once and exhaust the
 * heap; DISPATCHER_MAX_IN_FLIGHT_BYTES holds the dispatcher back until earlier deliveries finish.
 */
describe('Dispatcher: large payloads behind a slow endpoint', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: TestReceiver;
  let dispatcher: AppProcess;

  beforeAll(async () => {
    db = await TestDatabase.connect('dispatcher_large_payloads');
    kafka = new TestKafka();
    receiver = await new TestReceiver().start();
    dispatcher = await startTestDispatcher('dispatcher-large-payloads', db.uri, {
      ALLOW_PRIVATE_TARGETS: 'true',
      ENDPOINT_CONCURRENCY: '16',
      NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`,
    });
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await receiver?.stop();
    await kafka?.close();
    await db?.close();
  });

  it('delivers every event without running out of memory', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    receiver.on('/large', respondAfter(200));
    const webhook = await db.createWebhook(tenantId, receiver.url('/large'));
    const filler = 'x'.repeat(MAX_EVENT_PAYLOAD_BYTES - 1024);
    const events: { _id: string }[] = [];
    for (let batch = 0; batch < EVENTS / 50; batch += 1) {
      events.push(...(await db.createEvents(tenantId, 'file.uploaded', 50, [webhook], (index) => ({ index, filler }))));
    }

    await kafka.publish(
      KafkaTopic.DeliveryCommands,
      events.map((event) => ({ key: event._id, value: JSON.stringify({ version: 1, eventId: event._id }) })),
    );

    let exitCode: number | null | undefined;
    void dispatcher.whenExited().then((code) => (exitCode = code));
    const outcome = await waitFor(
      `${EVENTS} large events at the receiver, or the dispatcher's exit`,
      () => {
        if (exitCode !== undefined) return { exitCode, delivered: new Set<unknown>() };
        const delivered = new Set(receiver.received('/large').map((request) => request.headers['webhook-id']));
        return delivered.size >= EVENTS ? { exitCode, delivered } : undefined;
      },
      240_000,
    );

    // It never ran out of heap (V8 aborts the process), and every event went out whole.
    expect(outcome.exitCode).toBeUndefined();
    expect([...outcome.delivered].sort()).toEqual(events.map((event) => event._id).sort());
    expect(receiver.received('/large').every((request) => request.body.includes(filler))).toBe(true);
  });
});
