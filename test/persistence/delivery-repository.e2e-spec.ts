import { randomUUID } from 'node:crypto';
import { DeliveryErrorKind, DeliveryLogV1, DeliveryStatus, DeliveryTrigger } from '@app/contracts';
import { asTenantId, DELIVERY_MODEL, DeliveryDocument, DeliveryRepository } from '@app/persistence';
import { TestDatabase } from '../support/test-database';

/**
 * How attempt logs move a delivery row, against the real test database: the newest attempt sets the
 * state whatever order the logs arrive in, counters only grow, and a replay changes nothing.
 */
describe('DeliveryRepository.applyAttempts', () => {
  let db: TestDatabase;
  let deliveries: DeliveryRepository;
  const tenantId = `tenant-${randomUUID()}`;

  beforeAll(async () => {
    db = await TestDatabase.connect('delivery_rows');
    deliveries = new DeliveryRepository(db.connection.model<DeliveryDocument>(DELIVERY_MODEL));
  });

  afterAll(async () => {
    await db?.close();
  });

  const newDelivery = async () => {
    const eventId = randomUUID();
    const webhookId = randomUUID();
    await deliveries.ensureTargets([
      { tenantId: asTenantId(tenantId), eventId, webhookId, url: 'https://receiver.example/hook' },
    ]);
    return { eventId, webhookId };
  };
  const attempt = (
    target: { eventId: string; webhookId: string },
    attemptNumber: number,
    startedAt: Date,
    changes: Partial<DeliveryLogV1> = {},
  ): DeliveryLogV1 => ({
    version: 1,
    attemptId: randomUUID(),
    tenantId,
    ...target,
    url: 'https://receiver.example/hook',
    commandId: randomUUID(),
    trigger: DeliveryTrigger.Automatic,
    attemptNumber,
    startedAt: startedAt.toISOString(),
    durationMs: 5,
    success: false,
    statusCode: 500,
    errorKind: null,
    errorMessage: null,
    responseBodyExcerpt: '',
    scheduledFailures: attemptNumber,
    deliveryStatus: DeliveryStatus.Retrying,
    nextAttemptAt: new Date(startedAt.getTime() + 60_000).toISOString(),
    ...changes,
  });

  it('takes the state of the newest attempt even when an older one comes later in the batch', async () => {
    const target = await newDelivery();
    const first = attempt(target, 1, new Date(Date.now() - 10_000));
    const second = attempt(target, 2, new Date(), {
      success: true,
      statusCode: 200,
      deliveryStatus: DeliveryStatus.Delivered,
      scheduledFailures: 1,
      nextAttemptAt: null,
    });

    await deliveries.applyAttempts([second, first]);

    expect(await db.deliveryOf(target.eventId, target.webhookId)).toMatchObject({
      status: 'delivered',
      attempts: 2,
      scheduledFailures: 1,
      lastStatusCode: 200,
      lastAttemptAt: new Date(second.startedAt),
      nextAttemptAt: null,
    });
  });

  it('ignores a replayed older attempt and a log naming another tenant', async () => {
    const target = await newDelivery();
    const older = attempt(target, 1, new Date(Date.now() - 10_000), {
      statusCode: null,
      errorKind: DeliveryErrorKind.Timeout,
    });
    const newer = attempt(target, 2, new Date());
    await deliveries.applyAttempts([older, newer]);
    const before = await db.deliveryOf(target.eventId, target.webhookId);

    await deliveries.applyAttempts([older]);
    await deliveries.applyAttempts([{ ...attempt(target, 9, new Date()), tenantId: 'someone-else' }]);

    const after = await db.deliveryOf(target.eventId, target.webhookId);
    expect(after).toMatchObject({ attempts: 2, lastStatusCode: 500, lastAttemptAt: new Date(newer.startedAt) });
    expect({ ...after, updatedAt: null }).toEqual({ ...before, updatedAt: null });
  });
});
