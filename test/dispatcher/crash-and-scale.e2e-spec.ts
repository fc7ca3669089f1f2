import { randomUUID } from 'node:crypto';
import { KafkaTopic } from '@app/contracts';
import { EventDocument, WebhookDocument } from '@app/persistence';
import { AppProcess } from '../support/app-process';
import { TestKafka } from '../support/kafka-client';
import { respondAfter, TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { testDispatcher } from '../support/test-dispatcher';
import { waitFor } from '../support/wait-for';

const WEBHOOKS = 20;

// A crash costs a session timeout (10 s) plus what is left of its partition leases (DELIVERY_TIMEOUT + 19 s) before replay.
jest.setTimeout(240_000);

/**
 * Dispatchers stopped, crashed and scaled while commands flow. Every command must end up delivered and
 * logged exactly once; a crash may re-send what was on the wire (receivers dedupe on webhook-id).
 */
describe('Dispatcher crashes and scale-out (real Kafka and FerretDB)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: TestReceiver;
  const running: AppProcess[] = [];

  beforeAll(async () => {
    db = await TestDatabase.connect('dispatcher_crash');
    kafka = new TestKafka();
    receiver = await new TestReceiver().start();
  });

  // Stopped as in a deployment, so they give their partition leases back and the next test need not wait
  // them out (a test that kills one waits out its leases itself).
  afterEach(async () => {
    await Promise.all(running.splice(0).map((dispatcher) => dispatcher.stop(10_000)));
  });

  afterAll(async () => {
    await receiver?.stop();
    await kafka?.close();
    await db?.close();
  });

  const startDispatcher = async (label: string) => {
    const dispatcher = await testDispatcher(label, db.uri, {
      ALLOW_PRIVATE_TARGETS: 'true',
      DELIVERY_TIMEOUT: '2s',
      RETRY_SCHEDULE: '500ms,1s',
      // A killed dispatcher's partitions move after this, instead of the 30 s default.
      KAFKA_SESSION_TIMEOUT: '10s',
    });
    running.push(dispatcher);
    return dispatcher.start();
  };

  /** `count` events spread over WEBHOOKS webhooks of a fresh tenant, one initial command each. */
  const publishCommands = async (path: string, count: number) => {
    const tenantId = `tenant-${randomUUID()}`;
    const webhooks: WebhookDocument[] = [];
    for (let index = 0; index < WEBHOOKS; index += 1) {
      webhooks.push(await db.createWebhook(tenantId, receiver.url(`${path}/${index}`)));
    }
    const events = await db.createEvents(tenantId, 'load.test', count, webhooks);
    await kafka.publish(
      KafkaTopic.DeliveryCommands,
      events.map((event, index) => ({
        key: event._id,
        value: JSON.stringify({
          version: 1,
          commandId: `cmd-${event._id}`,
          eventId: event._id,
          webhookId: webhooks[index % WEBHOOKS]._id,
          trigger: 'initial',
        }),
      })),
    );
    return events;
  };

  const receivedFor = (path: string) => receiver.requests.filter((request) => request.path.startsWith(`${path}/`));

  /** Waits until every event has a successful attempt logged, then checks the exactly-once properties. */
  const expectEachDeliveredAndLoggedOnce = async (path: string, events: EventDocument[]) => {
    const eventIds = events.map((event) => event._id);
    const attempts = await waitFor(
      'every event to have a successful attempt logged',
      async () => {
        const logged = await db.attempts
          .find({ eventId: { $in: eventIds } })
          .lean()
          .exec();
        const succeeded = new Set(logged.filter((attempt) => attempt.success).map((attempt) => attempt.eventId));
        return succeeded.size === eventIds.length ? logged : undefined;
      },
      150_000,
      500,
    );
    const perCommand = new Map<string, number>();
    for (const attempt of attempts) perCommand.set(attempt.commandId, (perCommand.get(attempt.commandId) ?? 0) + 1);
    expect(perCommand.size).toBe(events.length);
    expect([...perCommand.values()].every((count) => count === 1)).toBe(true);

    const receivedIds = receivedFor(path).map((request) => request.headers['webhook-id'] as string);
    const received = new Set(receivedIds);
    expect(eventIds.every((eventId) => received.has(eventId))).toBe(true);
    return { duplicates: receivedIds.length - received.size };
  };

  it('finishes in-flight deliveries on SIGTERM and re-sends nothing after a restart', async () => {
    receiver.on('/graceful', respondAfter(50));
    const first = await startDispatcher('dispatcher-graceful');
    const events = await publishCommands('/graceful', 300);
    await waitFor('deliveries to be flowing', () => receivedFor('/graceful').length >= 50);

    expect(await first.stop()).toBe(0);
    await startDispatcher('dispatcher-graceful-restart');

    const { duplicates } = await expectEachDeliveredAndLoggedOnce('/graceful', events);
    expect(duplicates).toBe(0);
  });

  it('delivers and logs every command exactly once after a SIGKILL mid-batch', async () => {
    const first = await startDispatcher('dispatcher-killed');
    const events = await publishCommands('/crash', 300);
    await waitFor('deliveries to be flowing', () => receivedFor('/crash').length >= 75);

    await first.kill();
    await startDispatcher('dispatcher-after-crash');

    const { duplicates } = await expectEachDeliveredAndLoggedOnce('/crash', events);
    // Only requests that were on the wire at the kill can be re-sent.
    expect(duplicates).toBeLessThanOrEqual(events.length);
    console.log(`SIGKILL mid-batch: ${events.length} commands, ${duplicates} re-sent POST(s)`);
  });

  it('shares the partitions between two dispatchers and loses nothing when one of them is killed', async () => {
    const survivor = await startDispatcher('dispatcher-a');
    const victim = await startDispatcher('dispatcher-b');
    const events = await publishCommands('/scale', 200);

    const deliveredBy = async (dispatcher: AppProcess) => {
      const metrics = await (await fetch(`http://127.0.0.1:${dispatcher.metricsPort}/metrics`)).text();
      return [...metrics.matchAll(/^webhook_deliveries_total\{[^}]*\} (\d+)/gm)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    };
    // Both deliver, each for its own partitions; either may be first to start.
    await waitFor(
      'both dispatchers to be delivering',
      async () => (await deliveredBy(survivor)) > 0 && (await deliveredBy(victim)) > 0,
      60_000,
    );

    await victim.kill();

    await expectEachDeliveredAndLoggedOnce('/scale', events);
  });
});
