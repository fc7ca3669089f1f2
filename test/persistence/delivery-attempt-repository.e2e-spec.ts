import { randomUUID } from 'node:crypto';
import { DeliveryLogV1 } from '@app/contracts';
import { DELIVERY_ATTEMPT_MODEL, DeliveryAttemptDocument, DeliveryAttemptRepository } from '@app/persistence';
import { deliveryLog } from '../support/delivery-log';
import { TestDatabase } from '../support/test-database';

/**
 * The log writer's insert path against the real test database: a fresh batch is one insert, and a
 * batch that repeats stored attempts (a replayed log topic) is still stored exactly once, even on
 * FerretDB, which stops an unordered insert at its first duplicate.
 */
describe('DeliveryAttemptRepository.insertLogs', () => {
  let db: TestDatabase;
  let repository: DeliveryAttemptRepository;
  const tenantId = `tenant-${randomUUID()}`;

  beforeAll(async () => {
    db = await TestDatabase.connect('attempt_logs');
    repository = new DeliveryAttemptRepository(db.connection.model<DeliveryAttemptDocument>(DELIVERY_ATTEMPT_MODEL));
  });

  afterAll(async () => {
    await db?.close();
  });

  const log = (): DeliveryLogV1 => deliveryLog({ tenantId });
  const storedIds = async () =>
    (await db.attempts.find({ tenantId }, { _id: 1 }).lean().exec()).map(({ _id }) => String(_id)).sort();

  it('stores a new batch and says all of it was new', async () => {
    const batch = Array.from({ length: 50 }, log);
    expect(await repository.insertLogs(batch)).toBe(50);
    expect(await storedIds()).toEqual(batch.map(({ attemptId }) => attemptId).sort());
    expect(await db.attempts.findById(batch[0].attemptId).lean().exec()).toMatchObject({
      eventId: batch[0].eventId,
      statusCode: 200,
      startedAt: new Date(batch[0].startedAt),
    });
  });

  it('stores each attempt once when a batch mixes stored and new ones, duplicates first', async () => {
    const before = await storedIds();
    const replayed = (await db.attempts.find({ tenantId }).limit(20).lean().exec()).map((stored) => ({
      ...log(),
      attemptId: String(stored._id),
    }));
    const fresh = Array.from({ length: 30 }, log);
    // Stored ones first and in between: FerretDB drops everything after the first duplicate.
    const mixed = [...replayed.slice(0, 10), ...fresh.slice(0, 15), ...replayed.slice(10), ...fresh.slice(15)];

    const added = await repository.insertLogs(mixed);

    expect(added).toBeLessThan(mixed.length);
    expect(await storedIds()).toEqual([...before, ...fresh.map(({ attemptId }) => attemptId)].sort());
    expect(await repository.insertLogs(mixed)).toBe(0);
    expect(await storedIds()).toHaveLength(before.length + fresh.length);
  });
});
