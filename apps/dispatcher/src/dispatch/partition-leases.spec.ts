import { Logger } from '@nestjs/common';
import { LeaseState, PartitionLeaseRepository } from '@app/persistence';
import { DeliveryPolicy } from '../policy/delivery-policy';
import { AbandonedDeliveryError } from './abandoned-delivery';
import { LEASE_RENEWAL_MS, PartitionLeases } from './partition-leases';

const DELIVERY_MS = 30_000;
const OWNER = 'dispatcher-under-test';
const TOPIC = 'webhooks.delivery-commands.v1';
const LEASE_ID = `${TOPIC}:0`;

/** Leases in memory, with the repository's rules: a live lease is its holder's alone. */
function leaseStore() {
  const held = new Map<string, { owner: string; until: number }>();
  const repository = {
    take: jest.fn(async (leaseId: string, owner: string, leaseMs: number): Promise<LeaseState> => {
      const lease = held.get(leaseId);
      if (lease && lease.owner !== owner && lease.until >= Date.now())
        return { held: false, leaseUntil: new Date(lease.until) };
      held.set(leaseId, { owner, until: Date.now() + leaseMs });
      return { held: true, leaseUntil: new Date(Date.now() + leaseMs) };
    }),
    renew: jest.fn(async (leaseIds: string[], owner: string, leaseMs: number) => {
      const leaseUntil = new Date(Date.now() + leaseMs);
      const ours = leaseIds.filter((leaseId) => held.get(leaseId)?.owner === owner);
      for (const leaseId of ours) held.set(leaseId, { owner, until: leaseUntil.getTime() });
      return { renewed: ours.length === leaseIds.length, leaseUntil };
    }),
    release: jest.fn(async (leaseIds: string[], owner: string) => {
      for (const leaseId of leaseIds) if (held.get(leaseId)?.owner === owner) held.delete(leaseId);
    }),
  };
  return { held, repository };
}

describe('PartitionLeases', () => {
  let store: ReturnType<typeof leaseStore>;
  let leases: PartitionLeases;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    store = leaseStore();
    leases = new PartitionLeases(
      store.repository as unknown as PartitionLeaseRepository,
      { deliveryLeaseMs: DELIVERY_MS } as DeliveryPolicy,
      { id: OWNER },
    );
  });

  afterEach(() => {
    leases.onModuleDestroy();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('takes a partition once, beyond one delivery and two renewals, and renews all it holds in one write', async () => {
    await leases.hold(TOPIC, 0);
    await leases.hold(TOPIC, 0);
    await leases.hold(TOPIC, 1);
    expect(store.repository.take).toHaveBeenCalledTimes(2);
    expect(store.repository.take).toHaveBeenCalledWith(LEASE_ID, OWNER, DELIVERY_MS + 2 * LEASE_RENEWAL_MS);
    await jest.advanceTimersByTimeAsync(5 * LEASE_RENEWAL_MS);
    expect(store.repository.renew).toHaveBeenCalledTimes(5);
    expect(store.repository.renew).toHaveBeenLastCalledWith(
      [LEASE_ID, `${TOPIC}:1`],
      OWNER,
      DELIVERY_MS + 2 * LEASE_RENEWAL_MS,
    );
    expect(store.repository.take).toHaveBeenCalledTimes(2);
  });

  it("waits for another dispatcher's lease to run out, then takes it", async () => {
    store.held.set(LEASE_ID, { owner: 'other', until: Date.now() + 5_000 });
    let taken = false;
    void leases.hold(TOPIC, 0).then(() => (taken = true));
    await jest.advanceTimersByTimeAsync(4_000);
    expect(taken).toBe(false);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(taken).toBe(true);
    expect(store.held.get(LEASE_ID)?.owner).toBe(OWNER);
  });

  it('gives up waiting at shutdown', async () => {
    store.held.set(LEASE_ID, { owner: 'other', until: Date.now() + 60_000 });
    const holding = leases.hold(TOPIC, 0);
    await jest.advanceTimersByTimeAsync(3_000);
    leases.stopTaking();
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(holding).resolves.toBeNull();
  });

  it('stops waiting for a partition a rebalance took away meanwhile', async () => {
    store.held.set(LEASE_ID, { owner: 'other', until: Date.now() + 60_000 });
    const holding = leases.hold(TOPIC, 0);
    await jest.advanceTimersByTimeAsync(3_000);
    leases.retainOnly([{ topic: TOPIC, partition: 1 }]);
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(holding).resolves.toBeNull();
    expect(store.held.get(LEASE_ID)?.owner).toBe('other');
  });

  it('keeps a partition taken away in a rebalance until its deliveries under way are recorded, then gives it back', async () => {
    const lease = (await leases.hold(TOPIC, 0))!;
    const leave = await lease.enter();
    leases.retainOnly([]);
    await jest.advanceTimersByTimeAsync(3 * LEASE_RENEWAL_MS);
    expect(store.repository.release).not.toHaveBeenCalled();
    expect(store.held.get(LEASE_ID)?.until).toBeGreaterThan(Date.now() + DELIVERY_MS);
    leave();
    await jest.advanceTimersByTimeAsync(LEASE_RENEWAL_MS);
    expect(store.repository.release).toHaveBeenCalledWith([LEASE_ID], OWNER);
    expect(store.held.has(LEASE_ID)).toBe(false);
  });

  it('starts no delivery once another dispatcher has taken the partition over', async () => {
    const lease = (await leases.hold(TOPIC, 0))!;
    // This dispatcher stalled past its lease; another took the partition.
    store.held.set(LEASE_ID, { owner: 'other', until: Date.now() + 60_000 });
    await jest.advanceTimersByTimeAsync(LEASE_RENEWAL_MS);
    await expect(lease.enter()).rejects.toBeInstanceOf(AbandonedDeliveryError);
  });

  it('holds back a delivery while the lease could run out under it, until a renewal gets through', async () => {
    const lease = (await leases.hold(TOPIC, 0))!;
    const { take, renew } = store.repository;
    const away = new Error('database away');
    take.mockRejectedValue(away);
    renew.mockRejectedValue(away);
    await jest.advanceTimersByTimeAsync(3 * LEASE_RENEWAL_MS);
    let entered = false;
    void lease.enter().then(() => (entered = true));
    await jest.advanceTimersByTimeAsync(3_000);
    expect(entered).toBe(false);
    const back = leaseStore().repository;
    take.mockImplementation(back.take);
    renew.mockImplementation(back.renew);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(entered).toBe(true);
  });

  it('gives back at shutdown every lease with nothing left unrecorded under it', async () => {
    await leases.hold(TOPIC, 0);
    await leases.hold(TOPIC, 1);
    const busy = (await leases.hold(TOPIC, 2))!;
    await busy.enter();
    await leases.releaseAll();
    expect(store.repository.release).toHaveBeenCalledWith([LEASE_ID, `${TOPIC}:1`], OWNER);
    expect([...store.held.keys()]).toEqual([`${TOPIC}:2`]);
  });
});
