import { randomUUID } from 'node:crypto';
import { DeliveryLogV1 } from '@app/contracts';
import { DELIVERY_ATTEMPT_MODEL, DeliveryAttemptDocument, DeliveryAttemptRepository } from '@app/persistence';
import { deliveryLog } from '../support/delivery-log';
import { TestDatabase } from '../support/test-database';

/**
 * The log writer's insert path against the real test database: a fresh batch is one insert, a batch
 * that repeats stored attempts (a replayed log topic) is still stored exactly once, and each call
 * reports exactly the ids it stored (the log writer counts bulk-retry outcomes by them).
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
  const idsOf = (logs: DeliveryLogV1[]) => logs.map(({ attemptId }) => attemptId).sort();
  const storedIds = async () =>
    (await db.attempts.find({ tenantId }, { _id: 1 }).lean().exec()).map(({ _id }) => String(_id)).sort();

  it('stores a new batch and says all of it was new', async () => {
    const batch = Array.from({ length: 50 }, log);
    expect((await repository.insertLogs(batch)).sort()).toEqual(idsOf(batch));
    expect(await storedIds()).toEqual(idsOf(batch));
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
    // Stored ones first and in between: an engine that stopped at its first duplicate would show here.
    const mixed = [...replayed.slice(0, 10), ...fresh.slice(0, 15), ...replayed.slice(10), ...fresh.slice(15)];

    const added = await repository.insertLogs(mixed);

    expect(added.sort()).toEqual(idsOf(fresh));
    expect(await storedIds()).toEqual([...before, ...idsOf(fresh)].sort());
    expect(await repository.insertLogs(mixed)).toEqual([]);
    expect(await storedIds()).toHaveLength(before.length + fresh.length);
  });

  it('reports exactly the new ids of a partly replayed batch, a log repeated within it once', async () => {
    const [stored] = await db.attempts.find({ tenantId }).limit(1).lean().exec();
    const fresh = Array.from({ length: 3 }, log);
    const batch = [{ ...log(), attemptId: String(stored._id) }, fresh[0], fresh[1], fresh[0], fresh[2]];

    expect((await repository.insertLogs(batch)).sort()).toEqual(idsOf(fresh));
  });

  it('gives each id to one of two writers storing overlapping batches at once', async () => {
    const shared = Array.from({ length: 20 }, log);
    const mine = [...Array.from({ length: 10 }, log), ...shared];
    const theirs = [...shared, ...Array.from({ length: 10 }, log)];

    const [mineAdded, theirsAdded] = await Promise.all([repository.insertLogs(mine), repository.insertLogs(theirs)]);

    expect([...mineAdded, ...theirsAdded].sort()).toEqual(idsOf([...mine, ...theirs.slice(20)]));
  });
});
