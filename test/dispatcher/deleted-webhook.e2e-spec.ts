import { randomUUID } from 'node:crypto';
import { DeliveryStatus, KafkaTopic } from '@app/contracts';
import { deliveryIdOf } from '@app/persistence';
import { issueTokenWithCli } from '../console/support/issue-token';
import { AppProcess, freePort } from '../support/app-process';
import { testKafkaBrokers } from '../support/infra';
import { DeadLetters, originalValue, TestKafka } from '../support/kafka-client';
import { respondWith, TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { sleep, waitFor } from '../support/wait-for';

/**
 * Deleting a webhook ends its open deliveries: failed with webhook_deleted, nothing scheduled, the
 * events rolled up, nothing sent, and nothing republished by the stranded sweep; a command that still
 * names the webhook afterwards ends its delivery the same way.
 */
describe('Deleted webhooks (api and dispatcher processes, Kafka, FerretDB, an HTTP receiver)', () => {
  let db: TestDatabase;
  let receiver: TestReceiver;
  let kafka: TestKafka;
  let api: AppProcess;
  let dispatcher: AppProcess | undefined;
  let shared: Record<string, string>;

  beforeAll(async () => {
    db = await TestDatabase.connect('deleted_webhook');
    receiver = await new TestReceiver().start();
    kafka = new TestKafka();
    shared = { KAFKA_BROKERS: testKafkaBrokers(), MONGODB_URI: db.uri };
    api = await new AppProcess(
      'api',
      await freePort(),
      { ...shared, ALLOW_HTTP_WEBHOOKS: 'true' },
      'deleted-api',
    ).start();
  });

  afterAll(async () => {
    await dispatcher?.stop();
    await api?.stop();
    await kafka?.close();
    await receiver?.stop();
    await db?.close();
  });

  // Started once the first webhook is deleted, so its sweep cannot send the deliveries before the delete.
  const startDispatcher = async () => {
    dispatcher ??= await new AppProcess(
      'dispatcher',
      await freePort(),
      { ...shared, ALLOW_PRIVATE_TARGETS: 'true', STRANDED_DELIVERY_AFTER: '3s' },
      'deleted-dispatcher',
    ).start();
  };

  const deleteWebhook = async (token: string, webhookId: string) => {
    const response = await fetch(`http://127.0.0.1:${api.port}/v1/webhooks/${webhookId}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
  };

  const endedRow = {
    status: DeliveryStatus.Failed,
    lastErrorKind: 'webhook_deleted',
    nextAttemptAt: null,
    heldBy: null,
  };

  it('ends a pending and a retrying delivery as failed, rolls the events up, and sends nothing', async () => {
    const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
    const token = await issueTokenWithCli(shared, tenantId);
    receiver.on('/deleted', respondWith(200));
    const webhook = await db.createWebhook(tenantId, receiver.url('/deleted'));
    const pending = await db.createEvent(tenantId, 'order.created', { n: 1 }, [webhook]);
    const retrying = await db.createEvent(tenantId, 'order.created', { n: 2 }, [webhook]);
    await db.deliveries.updateOne(
      { _id: deliveryIdOf(retrying._id, webhook._id) },
      {
        $set: {
          status: DeliveryStatus.Retrying,
          attempts: 1,
          scheduledFailures: 1,
          nextAttemptAt: new Date(Date.now() + 1_000),
        },
      },
    );

    await deleteWebhook(token, webhook._id);

    for (const event of [pending, retrying]) {
      expect(await db.deliveryOf(event._id, webhook._id)).toMatchObject(endedRow);
      expect(await db.eventById(event._id)).toMatchObject({
        status: 'failed',
        targets: [{ webhookId: webhook._id, status: DeliveryStatus.Failed }],
      });
    }
    // The retry's due time and several sweeps pass: nothing is published again, nothing sent.
    await startDispatcher();
    await sleep(8_000);
    expect(receiver.received('/deleted')).toEqual([]);
    for (const event of [pending, retrying]) {
      expect(await db.attemptsOf(event._id)).toEqual([]);
      expect(await db.deliveryOf(event._id, webhook._id)).toMatchObject(endedRow);
    }
  });

  it('ends a delivery still open after the delete when a manual retry command names the webhook', async () => {
    await startDispatcher();
    const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
    const token = await issueTokenWithCli(shared, tenantId);
    const deadLetters = await kafka.collectDeadLetters();
    receiver.on('/late', respondWith(200));
    // Deleted well within STRANDED_DELIVERY_AFTER, before the sweep could send the new delivery.
    const webhook = await db.createWebhook(tenantId, receiver.url('/late'));
    const event = await db.createEvent(tenantId, 'order.created', { n: 3 }, [webhook]);
    await deleteWebhook(token, webhook._id);
    // As an attempt in flight during the delete leaves it: retrying again, with nothing scheduled.
    await db.deliveries.updateOne(
      { _id: deliveryIdOf(event._id, webhook._id) },
      { $set: { status: DeliveryStatus.Retrying, lastErrorKind: 'timeout', updatedAt: new Date() } },
    );
    await db.events.updateOne(
      { _id: event._id },
      { $set: { status: 'delivering', targets: [{ webhookId: webhook._id, status: DeliveryStatus.Retrying }] } },
    );

    const commandId = `manual-${randomUUID()}`;
    await kafka.publish(KafkaTopic.DeliveryCommands, [
      {
        key: event._id,
        value: JSON.stringify({ version: 1, commandId, eventId: event._id, webhookId: webhook._id, trigger: 'manual' }),
      },
    ]);

    const letter = await waitFor('the command to be dead-lettered', () => letterFor(deadLetters, commandId));
    expect(letter.reason).toContain(`unknown webhook ${webhook._id}`);
    expect(await db.deliveryOf(event._id, webhook._id)).toMatchObject(endedRow);
    expect(await db.eventById(event._id)).toMatchObject({
      status: 'failed',
      targets: [{ webhookId: webhook._id, status: DeliveryStatus.Failed }],
    });
    expect(receiver.received('/late')).toEqual([]);
  });
});

function letterFor(deadLetters: DeadLetters, commandId: string) {
  return deadLetters
    .from(KafkaTopic.DeliveryCommands)
    .find((letter) => originalValue(letter)?.toString('utf8').includes(commandId));
}
