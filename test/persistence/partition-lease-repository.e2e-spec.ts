import { randomUUID } from 'node:crypto';
import { sleep } from '@app/common';
import {
  PARTITION_LEASE_MODEL,
  PartitionLeaseDocument,
  partitionLeaseIdOf,
  PartitionLeaseRepository,
} from '@app/persistence';
import { testDbEngine } from '../support/infra';
import { TestDatabase } from '../support/test-database';

const LEASE_MS = 60_000;

/**
 * Partition leases against the real test database (both engines in CI): one holder at a time, renewed by
 * its holder, taken by another only once run out or given back, and exactly one winner of a race.
 */
describe(`PartitionLeaseRepository (${testDbEngine()})`, () => {
  let db: TestDatabase;
  let leases: PartitionLeaseRepository;

  beforeAll(async () => {
    db = await TestDatabase.connect('partition_leases');
    leases = new PartitionLeaseRepository(db.connection.model<PartitionLeaseDocument>(PARTITION_LEASE_MODEL));
  });

  afterAll(async () => {
    await db?.close();
  });

  const freshLease = () => partitionLeaseIdOf(`webhooks.delivery-commands.v1-${randomUUID()}`, 3);

  it('takes a lease nobody holds, and renews it for its holder', async () => {
    const leaseId = freshLease();
    const first = await leases.take(leaseId, 'dispatcher-a', LEASE_MS);
    expect(first.held).toBe(true);
    expect(first.leaseUntil.getTime()).toBeGreaterThan(Date.now() + LEASE_MS - 5_000);
    const renewed = await leases.take(leaseId, 'dispatcher-a', 2 * LEASE_MS);
    expect(renewed.held).toBe(true);
    expect(renewed.leaseUntil.getTime()).toBeGreaterThan(first.leaseUntil.getTime());
  });

  it('refuses another dispatcher a live lease and tells until when it is held', async () => {
    const leaseId = freshLease();
    const holder = await leases.take(leaseId, 'dispatcher-a', LEASE_MS);
    const other = await leases.take(leaseId, 'dispatcher-b', LEASE_MS);
    expect(other).toEqual({ held: false, leaseUntil: holder.leaseUntil });
    // The refusal changed nothing: the holder still renews it.
    expect((await leases.take(leaseId, 'dispatcher-a', LEASE_MS)).held).toBe(true);
  });

  it('lets another dispatcher take a lease that ran out, after which its old holder is refused', async () => {
    const leaseId = freshLease();
    await leases.take(leaseId, 'dispatcher-a', 1);
    await sleep(20);
    expect((await leases.take(leaseId, 'dispatcher-b', LEASE_MS)).held).toBe(true);
    expect((await leases.take(leaseId, 'dispatcher-a', LEASE_MS)).held).toBe(false);
  });

  it("renews an owner's leases in one write, and tells when one of them is no longer its own", async () => {
    const [first, second] = [freshLease(), freshLease()];
    await leases.take(first, 'dispatcher-a', 1);
    await leases.take(second, 'dispatcher-a', LEASE_MS);
    const renewal = await leases.renew([first, second], 'dispatcher-a', 2 * LEASE_MS);
    expect(renewal.renewed).toBe(true);
    // Renewed, so no longer run out: another dispatcher is refused it.
    expect(await leases.take(first, 'dispatcher-b', LEASE_MS)).toEqual({ held: false, leaseUntil: renewal.leaseUntil });

    await leases.release([second], 'dispatcher-a');
    await leases.take(second, 'dispatcher-b', LEASE_MS);
    expect((await leases.renew([first, second], 'dispatcher-a', LEASE_MS)).renewed).toBe(false);
  });

  it('gives back only the leases the dispatcher holds', async () => {
    const mine = freshLease();
    const theirs = freshLease();
    await leases.take(mine, 'dispatcher-a', LEASE_MS);
    await leases.take(theirs, 'dispatcher-b', LEASE_MS);
    await leases.release([mine, theirs], 'dispatcher-a');
    expect((await leases.take(mine, 'dispatcher-c', LEASE_MS)).held).toBe(true);
    expect((await leases.take(theirs, 'dispatcher-c', LEASE_MS)).held).toBe(false);
  });

  const raceFor = async (leaseId: string) => {
    const owners = Array.from({ length: 8 }, (_, index) => `dispatcher-${index}`);
    const outcomes = await Promise.all(owners.map((owner) => leases.take(leaseId, owner, LEASE_MS)));
    const winners = owners.filter((_, index) => outcomes[index].held);
    expect(winners).toHaveLength(1);
    const stored = await db.connection.collection('partition_leases').findOne({ _id: leaseId } as never);
    expect(stored?.owner).toBe(winners[0]);
  };

  it('gives a lease nobody held to exactly one of eight dispatchers racing for it', async () => {
    // The first take is an insert: the _id index settles the race on every engine.
    await raceFor(freshLease());
  });

  // Taking a lease that ran out is a conditional update on a document that exists: one winner is MongoDB's
  // documented behaviour (FerretDB gives it only with infra/ferretdb/write-commands-hold-their-collection).
  it('gives a lease that ran out to exactly one of eight dispatchers racing for it', async () => {
    const leaseId = freshLease();
    await leases.take(leaseId, 'dispatcher-gone', 1);
    await sleep(20);
    await raceFor(leaseId);
  });
});
