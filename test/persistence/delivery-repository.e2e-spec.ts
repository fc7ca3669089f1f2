import { randomUUID } from 'node:crypto';
import { DeliveryErrorKind, DeliveryLogV1, DeliveryStatus, DeliveryTrigger } from '@app/contracts';
import { asTenantId, DELIVERY_MODEL, DeliveryDocument, DeliveryRepository } from '@app/persistence';
import { numberAttempts } from '../../apps/dispatcher/src/record-attempts/number-attempts';
import { deliveryLog } from '../support/delivery-log';
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
  /** As the log writer does: number the attempts the rows have not counted, then apply them. */
  const apply = async (logs: DeliveryLogV1[]) => {
    const rows = await deliveries.findAttemptStates(logs);
    const numbered = numberAttempts(logs, rows);
    return deliveries.applyAttempts(numbered.logs, rows, numbered.counts);
  };
  const attempt = (
    target: { eventId: string; webhookId: string },
    attemptNumber: number,
    startedAt: Date,
    changes: Partial<DeliveryLogV1> = {},
  ): DeliveryLogV1 =>
    deliveryLog({
      tenantId,
      ...target,
      trigger: DeliveryTrigger.Automatic,
      attemptNumber,
      startedAt: startedAt.toISOString(),
      success: false,
      statusCode: 500,
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

    await apply([second, first]);

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
    await apply([older, newer]);
    const before = await db.deliveryOf(target.eventId, target.webhookId);

    await apply([older]);
    await apply([{ ...attempt(target, 9, new Date()), tenantId: 'someone-else' }]);

    const after = await db.deliveryOf(target.eventId, target.webhookId);
    expect(after).toMatchObject({ attempts: 2, lastStatusCode: 500, lastAttemptAt: new Date(newer.startedAt) });
    expect({ ...after, updatedAt: null }).toEqual({ ...before, updatedAt: null });
  });
});

/**
 * The retry scheduler's writes: a due retry is taken by one scheduler only, given back when its command
 * could not be published, and made due again when a scheduler took it and died before publishing.
 */
describe('DeliveryRepository: taking due retries', () => {
  let db: TestDatabase;
  let deliveries: DeliveryRepository;
  const tenantId = asTenantId(`tenant-${randomUUID()}`);

  beforeAll(async () => {
    db = await TestDatabase.connect('delivery_schedule');
    deliveries = new DeliveryRepository(db.connection.model<DeliveryDocument>(DELIVERY_MODEL));
  });

  afterAll(async () => {
    await db?.close();
  });

  /** A delivery whose automatic retry `scheduledFailures` is due at `nextAttemptAt`. */
  const retrying = async (nextAttemptAt: Date | null, changes: Partial<DeliveryDocument> = {}) => {
    const target = { tenantId, eventId: randomUUID(), webhookId: randomUUID(), url: 'https://receiver.example/hook' };
    await deliveries.ensureTargets([target]);
    const id = `${target.eventId}:${target.webhookId}`;
    await db.deliveries.updateOne(
      { _id: id },
      { $set: { status: DeliveryStatus.Retrying, attempts: 1, scheduledFailures: 1, nextAttemptAt, ...changes } },
    );
    return id;
  };
  const rowOf = (id: string) => db.deliveries.findById(id).lean<DeliveryDocument>().exec();

  it('takes due retries oldest first, clearing their due time, and leaves the ones not due yet', async () => {
    const now = new Date();
    const due = [await retrying(new Date(now.getTime() - 2_000)), await retrying(new Date(now.getTime() - 1_000))];
    const later = await retrying(new Date(now.getTime() + 60_000));

    const { taken, nextDueAt, stillScheduled } = await deliveries.takeDue(now, 10);

    expect(taken.map((row) => row._id)).toEqual(due);
    expect(nextDueAt).toEqual(new Date(now.getTime() + 60_000));
    expect(stillScheduled).toBe(await deliveries.countScheduled());
    for (const id of due) expect(await rowOf(id)).toMatchObject({ nextAttemptAt: null, updatedAt: now });
    expect((await rowOf(later))?.nextAttemptAt).toEqual(new Date(now.getTime() + 60_000));
    expect(await deliveries.takeDue(now, 10)).toEqual({
      taken: [],
      nextDueAt: new Date(now.getTime() + 60_000),
      stillScheduled: await deliveries.countScheduled(),
    });
  });

  it('cannot tell how many retries stay scheduled when there are more than it reads in a round', async () => {
    const now = new Date();
    const due = [await retrying(new Date(now.getTime() - 2_000)), await retrying(new Date(now.getTime() - 1_000))];
    await retrying(new Date(now.getTime() + 60_000));

    const round = await deliveries.takeDue(now, 1);

    expect(round.taken.map((row) => row._id)).toEqual([due[0]]);
    expect(round.stillScheduled).toBeNull();
    const next = await deliveries.takeDue(now, 10);
    expect(next.taken.map((row) => row._id)).toEqual([due[1]]);
    expect(next.stillScheduled).toBe(await deliveries.countScheduled());
    expect(next.stillScheduled).toBeGreaterThan(0);
  });

  it('gives an unpublished retry its due time back, unless its schedule moved on meanwhile', async () => {
    const now = new Date();
    const dueAt = new Date(now.getTime() - 1_000);
    const unpublished = await retrying(dueAt);
    const movedOn = await retrying(dueAt);
    const { taken } = await deliveries.takeDue(now, 10);
    expect(taken.map((row) => row._id).sort()).toEqual([unpublished, movedOn].sort());
    await db.deliveries.updateOne({ _id: movedOn }, { $set: { scheduledFailures: 2 } });

    await deliveries.restoreDue(taken);

    expect((await rowOf(unpublished))?.nextAttemptAt).toEqual(dueAt);
    expect((await rowOf(movedOn))?.nextAttemptAt).toBeNull();
    expect((await deliveries.takeDue(now, 10)).taken.map((row) => row._id)).toEqual([unpublished]);
  });

  it('takes deliveries idle with nothing scheduled, never attempted automatically or retrying, once per idle spell', async () => {
    const now = new Date();
    const idleSince = new Date(now.getTime() - 10 * 60_000);
    const longAgo = new Date(idleSince.getTime() - 1_000);
    const strandedRetry = await retrying(null, { updatedAt: longAgo });
    const neverAttempted = await retrying(null, { updatedAt: longAgo, status: DeliveryStatus.Pending, attempts: 0 });
    // Its initial command was lost and a manual retry failed: still pending, and nothing else would send it.
    const onlyManuallyAttempted = await retrying(null, {
      updatedAt: longAgo,
      status: DeliveryStatus.Pending,
      attempts: 1,
    });
    const left = [
      await retrying(null, { updatedAt: now }),
      await retrying(null, { updatedAt: longAgo, heldBy: randomUUID() }),
      await retrying(null, { updatedAt: longAgo, status: DeliveryStatus.Delivered }),
      await retrying(new Date(now.getTime() + 60_000), { updatedAt: longAgo }),
    ];
    const before = await Promise.all(left.map(rowOf));

    const taken = await deliveries.takeStranded(idleSince, now, 100);

    const stranded = [strandedRetry, neverAttempted, onlyManuallyAttempted];
    expect(taken.map((row) => row._id).sort()).toEqual(stranded.sort());
    for (const id of stranded) {
      expect(await rowOf(id)).toMatchObject({ updatedAt: now, nextAttemptAt: null });
    }
    expect(await Promise.all(left.map(rowOf))).toEqual(before);
    expect(await deliveries.takeStranded(idleSince, now, 100)).toEqual([]);
  });
});
