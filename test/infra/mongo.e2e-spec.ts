import { randomUUID } from 'node:crypto';
import mongoose, { Connection, Model, Schema } from 'mongoose';
import { testMongoUri } from '../support/infra';

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

  // infra/ferretdb/update-releases-each-statement.patch: unpatched, this bulk write never returns and
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
});
