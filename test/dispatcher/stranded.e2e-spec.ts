import { randomUUID } from 'node:crypto';
import { DeliveryStatus } from '@app/contracts';
import { deliveryIdOf } from '@app/persistence';
import { AppProcess } from '../support/app-process';
import { respondWith, TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { startTestDispatcher } from '../support/test-dispatcher';
import { sleep, waitFor } from '../support/wait-for';

/**
 * The safety net for lost commands: deliveries stored with nothing scheduled and no command on its way
 * (none is published here) are sent once they have been idle for STRANDED_DELIVERY_AFTER, under the
 * command id they would have had, so a command that was only late changes nothing.
 */
describe('Dispatcher: deliveries whose command was lost', () => {
  let db: TestDatabase;
  let receiver: TestReceiver;
  let dispatcher: AppProcess;

  beforeAll(async () => {
    db = await TestDatabase.connect('dispatcher_stranded');
    receiver = await new TestReceiver().start();
    dispatcher = await startTestDispatcher('dispatcher-stranded', db.uri, {
      ALLOW_PRIVATE_TARGETS: 'true',
      STRANDED_DELIVERY_AFTER: '2s',
      RETRY_SCHEDULE: '300ms',
      RETRY_JITTER: '0',
    });
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await receiver?.stop();
    await db?.close();
  });

  it('sends a never-attempted delivery and a retry its scheduler dropped, each once', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    receiver.on('/stranded', respondWith(200));
    const webhook = await db.createWebhook(tenantId, receiver.url('/stranded'));
    const neverSent = await db.createEvent(tenantId, 'order.created', { n: 1 }, [webhook]);
    const dropped = await db.createEvent(tenantId, 'order.created', { n: 2 }, [webhook]);
    // A retry taken by a scheduler that died before publishing it: retrying, nothing scheduled.
    await db.deliveries.updateOne(
      { _id: deliveryIdOf(dropped._id, webhook._id) },
      { $set: { status: DeliveryStatus.Retrying, attempts: 1, scheduledFailures: 1, nextAttemptAt: null } },
    );

    const attempts = await waitFor(
      'both deliveries to be attempted',
      async () => {
        const logged = [...(await db.attemptsOf(neverSent._id)), ...(await db.attemptsOf(dropped._id))];
        return logged.length >= 2 ? logged : undefined;
      },
      30_000,
    );
    expect(
      attempts.map(({ eventId, commandId, trigger, success }) => ({ eventId, commandId, trigger, success })),
    ).toEqual(
      expect.arrayContaining([
        {
          eventId: neverSent._id,
          commandId: `initial:${neverSent._id}:${webhook._id}`,
          trigger: 'initial',
          success: true,
        },
        {
          eventId: dropped._id,
          commandId: `retry:${deliveryIdOf(dropped._id, webhook._id)}:1`,
          trigger: 'automatic',
          success: true,
        },
      ]),
    );
    for (const event of [neverSent, dropped]) {
      await waitFor(
        `delivery of ${event._id} to be delivered`,
        async () => (await db.deliveryOf(event._id, webhook._id))?.status === 'delivered',
      );
    }
    // Idle again after delivering, but delivered: nothing more is sent.
    await sleep(3_000);
    expect(receiver.received('/stranded')).toHaveLength(2);
    expect(await db.attemptsOf(neverSent._id)).toHaveLength(1);
    expect(await db.attemptsOf(dropped._id)).toHaveLength(1);
  });
});
