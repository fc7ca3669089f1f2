import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import mongoose, { Connection, Model, Schema, Types } from 'mongoose';
import { testInfraEnv, testMongoUri } from '../support/infra';

interface SmokeEvent {
  tenantId: string;
  eventId: string;
  status: string;
  attempts: number;
  createdAt: Date;
}

/**
 * FerretDB must handle the operations the persistence lib relies on: batched writes, lean reads,
 * index creation (including unique), and updates.
 */
describe('FerretDB test database', () => {
  const dbName = `infra_smoke_${randomUUID().slice(0, 8)}`;
  let connection: Connection;
  let events: Model<SmokeEvent>;

  beforeAll(async () => {
    connection = await mongoose.createConnection(testMongoUri(dbName)).asPromise();
    const schema = new Schema<SmokeEvent>(
      { tenantId: String, eventId: String, status: String, attempts: Number, createdAt: Date },
      { autoIndex: false }, // created explicitly below, so the test can await them
    );
    schema.index({ tenantId: 1, createdAt: -1 }); // a tenant's events, newest first
    schema.index({ tenantId: 1, eventId: 1 }, { unique: true }); // idempotent event intake
    events = connection.model<SmokeEvent>('SmokeEvent', schema);
    await events.createIndexes();
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await connection?.close();
  });

  it('writes a batch and reads it back as plain objects, newest first', async () => {
    const base = Date.UTC(2025, 0, 1);
    const docs = [0, 1, 2, 3, 4].map((i) => ({
      tenantId: 'acme',
      eventId: `evt_${i}`,
      status: 'pending',
      attempts: 0,
      createdAt: new Date(base + i * 1000),
    }));
    await events.insertMany(docs, { ordered: false });

    const found = await events.find({ tenantId: 'acme' }).sort({ createdAt: -1 }).lean();

    expect(found.map((doc) => doc.eventId)).toEqual(['evt_4', 'evt_3', 'evt_2', 'evt_1', 'evt_0']);
    expect(found[0]).not.toBeInstanceOf(mongoose.Document);
    expect(found[0].createdAt).toEqual(new Date(base + 4000));
  });

  it('keeps the declared indexes and enforces the unique one', async () => {
    const keys = (await events.collection.indexes()).map((index) => index.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        { tenantId: 1, createdAt: -1 },
        { tenantId: 1, eventId: 1 },
      ]),
    );

    await expect(
      events.insertMany([
        { tenantId: 'acme', eventId: 'evt_0', status: 'pending', attempts: 0, createdAt: new Date() },
      ]),
    ).rejects.toMatchObject({ code: 11000 });
  });

  it('updates a document in place', async () => {
    const result = await events.updateOne(
      { tenantId: 'acme', eventId: 'evt_2' },
      { $set: { status: 'delivered' }, $inc: { attempts: 1 } },
    );

    expect(result.modifiedCount).toBe(1);
    const updated = await events.findOne({ tenantId: 'acme', eventId: 'evt_2' }).lean();
    expect(updated).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  // infra/ferretdb/update-ends-its-read-before-writing.patch: unpatched, this bulk write never returns and
  // every later query on the database hangs behind it.
  it('applies one bulk write of more matching updates than the server has pooled connections', async () => {
    const docs = Array.from({ length: 150 }, (_, i) => ({
      tenantId: 'bulk',
      eventId: `bulk_${i}`,
      status: 'pending',
      attempts: 0,
      createdAt: new Date(),
    }));
    await events.insertMany(docs);
    const result = await events.bulkWrite(
      docs.map(({ eventId }) => ({
        updateOne: { filter: { tenantId: 'bulk', eventId }, update: { $set: { status: 'delivered' } } },
      })),
      { ordered: false },
    );
    expect(result.modifiedCount).toBe(150);
    expect(await events.countDocuments({ tenantId: 'bulk', status: 'delivered' })).toBe(150);
  });

  // The same patch: unpatched, each update's open read kept SQLite's WAL from restarting, so it grew with
  // every update (about 8 KiB each here) and every commit re-sorted its index. Patched, checkpoints restart
  // it and it stays at a few MiB however many updates run.
  it('keeps the SQLite write-ahead log bounded under a stream of updates by _id', async () => {
    const raw = connection.db!.collection<{ _id: string; status: string; attempts: number }>('wal_rows');
    const ids = Array.from({ length: 500 }, (_, i) => `row_${i}`);
    await raw.insertMany(ids.map((_id) => ({ _id, status: 'pending', attempts: 0 })));
    for (let round = 0; round < 12; round += 1) {
      const result = await raw.bulkWrite(
        ids.map((_id) => ({
          updateOne: { filter: { _id }, update: { $set: { status: `s${round}` }, $inc: { attempts: 1 } } },
        })),
        { ordered: false },
      );
      expect(result.modifiedCount).toBe(ids.length);
    }
    expect(await raw.countDocuments({ attempts: 12 })).toBe(ids.length);
    const wal = path.join(testInfraEnv().FERRETDB_DATA_DIR!, 'sqlite', `${dbName}.sqlite-wal`);
    // 6,000 updates: about 48 MiB of WAL when it cannot restart.
    expect(statSync(wal).size).toBeLessThan(16 * 2 ** 20);
  });

  // infra/ferretdb/update-writes-a-command-in-one-transaction.patch stores a command's updates together at
  // its end: a statement must still see what the statements before it in the same command wrote.
  it('applies the statements of one bulk write in order when they touch the same documents', async () => {
    const raw = connection.db!.collection<{ _id: string; n: number; tag?: string }>('ordered_updates');
    await raw.insertMany([
      { _id: 'x', n: 0 },
      { _id: 'y', n: 0 },
    ]);
    const result = await raw.bulkWrite(
      [
        { updateOne: { filter: { _id: 'x' }, update: { $inc: { n: 1 } } } },
        { updateOne: { filter: { _id: 'x' }, update: { $inc: { n: 1 } } } },
        { updateOne: { filter: { _id: 'y' }, update: { $set: { tag: 'after-x' } } } },
        // No _id: reads both documents as the statements above left them.
        { updateMany: { filter: { n: { $gte: 0 } }, update: { $inc: { n: 10 } } } },
        { updateOne: { filter: { _id: 'x', n: 12 }, update: { $set: { tag: 'saw-12' } } } },
      ],
      { ordered: true },
    );
    expect(result.modifiedCount).toBe(6);
    expect(await raw.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'x', n: 12, tag: 'saw-12' },
      { _id: 'y', n: 10, tag: 'after-x' },
    ]);
  });

  it('answers a find by a list of _ids exactly as the filter says, whatever the values (patched to use the _id index)', async () => {
    const raw = connection.db!.collection<{ _id: unknown; n: number }>('ids');
    const ids = Array.from({ length: 5 }, () => randomUUID());
    await raw.insertMany([...ids.map((_id, n) => ({ _id, n })), { _id: 7, n: 7 }]);
    const found = async (filter: object) =>
      (await raw.find(filter).toArray()).map(({ _id }) => _id).sort((a, b) => String(a).localeCompare(String(b)));

    expect(await found({ _id: { $in: [ids[3], ids[1], ids[1], randomUUID()] } })).toEqual([ids[1], ids[3]].sort());
    // Shapes the index path leaves to the full scan still answer the same.
    expect(await found({ _id: { $in: [ids[0], 7] } })).toEqual(
      [ids[0], 7].sort((a, b) => String(a).localeCompare(String(b))),
    );
    expect(await found({ _id: { $in: [] } })).toEqual([]);
    expect(await found({ _id: { $in: ids, $ne: ids[2] } })).toEqual(ids.filter((id) => id !== ids[2]).sort());
  });

  describe('filters on _id plus other conditions (patched to use the _id index)', () => {
    interface Lease {
      _id: string | Types.ObjectId;
      tenantId: string;
      state: string;
      leaseUntil?: Date;
    }
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 60_000);
    const stringId = randomUUID();
    const objectId = new Types.ObjectId();
    const otherId = randomUUID();

    // A fresh collection per test: two acme documents (a string and an ObjectId _id) and one of globex.
    const leases = async () => {
      const collection = connection.db!.collection<Lease>(`leases_${randomUUID().slice(0, 8)}`);
      await collection.insertMany([
        { _id: stringId, tenantId: 'acme', state: 'in_flight', leaseUntil: past },
        { _id: objectId, tenantId: 'acme', state: 'pending' },
        { _id: otherId, tenantId: 'globex', state: 'in_flight', leaseUntil: future },
      ]);
      return collection;
    };
    const idsOf = (docs: Lease[]) => docs.map(({ _id }) => String(_id)).sort();

    it('finds and counts a document only when every condition beside the _id holds', async () => {
      const collection = await leases();
      const found = async (filter: object) => idsOf(await collection.find(filter).toArray());

      expect(await found({ _id: stringId, tenantId: 'acme' })).toEqual([stringId]);
      expect(await found({ _id: stringId, tenantId: 'globex' })).toEqual([]);
      expect(await found({ _id: objectId, tenantId: 'acme', state: 'pending' })).toEqual([String(objectId)]);
      expect(await found({ _id: objectId, tenantId: 'acme', state: 'in_flight' })).toEqual([]);
      expect(await found({ _id: stringId, state: 'in_flight', leaseUntil: { $lt: new Date() } })).toEqual([stringId]);
      expect(await found({ _id: otherId, state: 'in_flight', leaseUntil: { $lt: new Date() } })).toEqual([]);
      expect(await found({ _id: { $in: [stringId, objectId, otherId] }, tenantId: 'acme' })).toEqual(
        [stringId, String(objectId)].sort(),
      );
      expect(
        await found({ _id: { $in: [stringId, otherId] }, $or: [{ state: 'pending' }, { tenantId: 'globex' }] }),
      ).toEqual([otherId]);
      expect(await collection.countDocuments({ _id: stringId, tenantId: 'acme' })).toBe(1);
      expect(await collection.countDocuments({ _id: stringId, tenantId: 'globex' })).toBe(0);
    });

    it('updates only the documents whose other conditions hold, alone and in each statement of a bulk write', async () => {
      const collection = await leases();

      expect(
        await collection.updateOne({ _id: stringId, tenantId: 'globex' }, { $set: { state: 'stolen' } }),
      ).toMatchObject({ matchedCount: 0, modifiedCount: 0 });
      expect(
        await collection.updateOne(
          { _id: objectId, state: 'pending' },
          { $set: { state: 'in_flight', leaseUntil: future } },
        ),
      ).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      expect(
        await collection.updateMany(
          { _id: { $in: [stringId, objectId, otherId] }, tenantId: 'acme' },
          { $set: { state: 'expired' } },
        ),
      ).toMatchObject({ matchedCount: 2, modifiedCount: 2 });

      const bulk = await collection.bulkWrite(
        [
          { updateOne: { filter: { _id: stringId, state: 'expired' }, update: { $set: { state: 'done' } } } },
          { updateOne: { filter: { _id: objectId, state: 'pending' }, update: { $set: { state: 'done' } } } },
          { updateOne: { filter: { _id: otherId, tenantId: 'acme' }, update: { $set: { state: 'done' } } } },
        ],
        { ordered: false },
      );
      expect(bulk).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      expect(await collection.find({}, { projection: { state: 1 } }).toArray()).toEqual(
        expect.arrayContaining([
          { _id: stringId, state: 'done' },
          { _id: objectId, state: 'expired' },
          { _id: otherId, state: 'in_flight' },
        ]),
      );
    });

    it('claims a lease atomically with findOneAndUpdate only while its conditions hold', async () => {
      const collection = await leases();
      const claim = (_id: string | Types.ObjectId) =>
        collection.findOneAndUpdate(
          { _id, state: 'in_flight', leaseUntil: { $lt: new Date() } },
          { $set: { leaseUntil: future } },
          { returnDocument: 'after' },
        );

      expect(await claim(stringId)).toMatchObject({ _id: stringId, leaseUntil: future });
      expect(await claim(stringId)).toBeNull(); // the lease just taken has not expired
      expect(await claim(otherId)).toBeNull();
      expect(await claim(objectId)).toBeNull(); // pending, no lease
    });

    it('deletes only the documents whose other conditions hold', async () => {
      const collection = await leases();

      expect(await collection.deleteOne({ _id: stringId, tenantId: 'globex' })).toMatchObject({ deletedCount: 0 });
      expect(await collection.deleteOne({ _id: objectId, tenantId: 'globex' })).toMatchObject({ deletedCount: 0 });
      expect(
        await collection.deleteMany({
          _id: { $in: [stringId, objectId, otherId] },
          tenantId: 'acme',
          state: 'pending',
        }),
      ).toMatchObject({ deletedCount: 1 });
      expect(idsOf(await collection.find({}).toArray())).toEqual([stringId, otherId].sort());
    });

    // FerretDB's explain reports whether SQLite got a WHERE clause; finds, updates, deletes, findAndModify
    // and count build the same one from their filter.
    it('sends only the _id condition to SQLite, which answers it from the _id index', async () => {
      const collection = await leases();
      const explain = async (filter: object) => {
        const { filterPushdown, queryPlanner } = await connection.db!.command({
          explain: { find: collection.collectionName, filter },
        });
        return { filterPushdown, plan: String(queryPlanner?.Plan) };
      };
      const byIndex = { filterPushdown: true, plan: expect.stringMatching(/SEARCH .* USING INDEX \S+__id_/) };

      expect(await explain({ _id: stringId, tenantId: 'acme' })).toEqual(byIndex);
      expect(await explain({ _id: objectId, state: 'in_flight', leaseUntil: { $lt: new Date() } })).toEqual(byIndex);
      expect(await explain({ _id: { $in: [stringId, objectId] }, tenantId: 'acme' })).toEqual(byIndex);
      // Without an _id condition, simple conditions still go to SQLite, as a pre-filter over the whole table.
      expect(await explain({ tenantId: 'acme' })).toEqual({
        filterPushdown: true,
        plan: expect.stringMatching(/SCAN/),
      });
      expect(await explain({ $and: [{ tenantId: 'acme' }] })).toEqual({
        filterPushdown: false,
        plan: expect.stringMatching(/SCAN/),
      });
    });
  });

  /**
   * Without an _id condition, FerretDB (patched) lets SQLite drop the rows that cannot match simple
   * top-level conditions before decoding them. `{$and: [filter]}` means the same as `filter` and gets no
   * pre-filter, so each filter must select exactly what its `$and` form selects, whatever the values.
   */
  describe('simple conditions pre-filtered in SQLite (patched)', () => {
    const early = new Date('2026-01-01T00:00:00Z');
    const late = new Date('2026-06-01T00:00:00Z');
    const values: Record<string, unknown> = {
      missing: undefined,
      null: null,
      a: 'a',
      b: 'b',
      escaped: 'a"<>&\\é',
      true: true,
      false: false,
      one: 1,
      early,
      late,
      arrayWithA: ['x', 'a'],
      arrayWithNull: [null, 'x'],
      arrayWithDate: [late],
      emptyArray: [],
      document: { a: 1 },
    };
    const filters: object[] = [
      { f: null },
      { f: { $ne: null } },
      { f: 'a' },
      { f: 'a"<>&\\é' },
      { f: true },
      { f: false },
      { f: { $in: ['a', 'b'] } },
      { f: { $in: ['a', null] } },
      { f: { $lt: late } },
      { f: { $lte: late } },
      { f: { $gt: early } },
      { f: { $gte: early, $lt: late } },
      { f: { $gt: '' } },
      { f: { $gte: 'a', $lt: 'b' } },
      { f: { $lte: 'a' } },
      { f: { $ne: null, $in: ['b'] } },
      { f: 'a', g: null },
      { f: { $ne: null }, g: { $ne: null } },
      { 'f.a': 1 },
      { f: { $exists: false } },
    ];
    let collection: ReturnType<NonNullable<Connection['db']>['collection']>;

    beforeAll(async () => {
      collection = connection.db!.collection(`prefilter_${randomUUID().slice(0, 8)}`);
      await collection.insertMany(
        Object.entries(values).flatMap(([name, value]) =>
          ['set', 'unset'].map((g) => ({
            _id: `${name}-${g}` as never,
            ...(value === undefined ? {} : { f: value }),
            ...(g === 'set' ? { g: 'x' } : {}),
          })),
        ),
      );
    });

    const idsOf = (documents: { _id: unknown }[]) => documents.map(({ _id }) => String(_id)).sort();

    it.each(filters.map((filter) => [JSON.stringify(filter), filter]))(
      'finds and counts with %s exactly what the same filter finds without a pre-filter',
      async (_name, filter) => {
        const expected = idsOf(await collection.find({ $and: [filter] }).toArray());
        expect(idsOf(await collection.find(filter).toArray())).toEqual(expected);
        expect(await collection.countDocuments(filter)).toBe(expected.length);
      },
    );

    it('finds the documents Mongo semantics say, for the shapes the service sends', async () => {
      expect(idsOf(await collection.find({ f: null, g: 'x' }).toArray())).toEqual(
        ['arrayWithNull-set', 'missing-set', 'null-set'].sort(),
      );
      expect(idsOf(await collection.find({ f: { $in: ['a', 'b'] }, g: 'x' }).toArray())).toEqual(
        ['a-set', 'arrayWithA-set', 'b-set'].sort(),
      );
      expect(idsOf(await collection.find({ f: { $lt: late }, g: 'x' }).toArray())).toEqual(['early-set']);
    });

    it('updates and deletes exactly the documents a pre-filtered condition matches', async () => {
      const updated = await collection.updateMany({ f: { $in: ['a', 'b'] } }, { $set: { touched: true } });
      expect(updated.modifiedCount).toBe(6);
      expect(idsOf(await collection.find({ $and: [{ touched: true }] }).toArray())).toEqual(
        ['a-set', 'a-unset', 'arrayWithA-set', 'arrayWithA-unset', 'b-set', 'b-unset'].sort(),
      );
      const deleted = await collection.deleteMany({ f: { $lte: early } });
      expect(deleted.deletedCount).toBe(2);
      expect(await collection.countDocuments({ $and: [{ f: { $lte: early } }] })).toBe(0);
    });
  });
});
