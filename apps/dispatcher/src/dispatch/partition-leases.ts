import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { sleep, untilAvailable } from '@app/common';
import { isDatabaseUnavailable, LeaseState, partitionLeaseIdOf, PartitionLeaseRepository } from '@app/persistence';
import { DeliveryPolicy } from '../policy/delivery-policy';
import { AbandonedDeliveryError } from './abandoned-delivery';
import { DispatcherInstance } from './dispatcher-instance';

/** How often held leases are renewed; a lease reaches two renewals beyond the longest delivery. */
export const LEASE_RENEWAL_MS = 2_000;
/** Longest pause before asking again for a partition another dispatcher still holds. */
const HELD_RECHECK_MS = 1_000;

interface Holding {
  leaseId: string;
  /** Until when this dispatcher holds the lease (0: not held). */
  untilMs: number;
  /** Deliveries of the partition between their start and their recorded attempt. */
  active: number;
  /** Still this consumer's partition in Kafka's eyes. */
  assigned: boolean;
  renewing?: Promise<void>;
}

/** One partition's lease, as the deliveries of its commands see it. */
export interface PartitionLease {
  /**
   * Waits until the lease outlasts one delivery (its request and a margin) and keeps it
   * held until the returned function is called, once the attempt is recorded. Throws
   * AbandonedDeliveryError when another dispatcher has taken the partition over.
   */
  enter(): Promise<() => void>;
}

/**
 * Leases on the Kafka partitions this dispatcher sends for (PartitionLeaseDocument). A partition's
 * commands are dispatched only under its lease, and a delivery starts only while the lease outlasts it,
 * so a partition's next owner never sends while the previous one may still be sending: no claim per
 * delivery is needed. A lease is renewed while the partition is assigned here or has deliveries under
 * way, and given back as soon as neither holds.
 */
@Injectable()
export class PartitionLeases implements OnModuleDestroy {
  private readonly logger = new Logger(PartitionLeases.name);
  /** This dispatcher, as written on the leases it holds. */
  private readonly owner: string;
  private readonly holdings = new Map<string, Holding>();
  /** Time left on a lease for a delivery to start under it. */
  private readonly deliveryMs: number;
  private readonly leaseMs: number;
  private timer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly leases: PartitionLeaseRepository,
    policy: DeliveryPolicy,
    instance: DispatcherInstance,
  ) {
    this.owner = instance.id;
    this.deliveryMs = policy.deliveryLeaseMs;
    this.leaseMs = this.deliveryMs + 2 * LEASE_RENEWAL_MS;
  }

  /**
   * Waits until this dispatcher holds the partition's lease; null when shutdown came first, or a
   * rebalance took the partition away meanwhile (its next owner dispatches the slice).
   */
  async hold(topic: string, partition: number): Promise<PartitionLease | null> {
    const leaseId = partitionLeaseIdOf(topic, partition);
    let holding = this.holdings.get(leaseId);
    if (!holding) this.holdings.set(leaseId, (holding = { leaseId, untilMs: 0, active: 0, assigned: true }));
    holding.assigned = true;
    this.timer ??= setInterval(() => void this.renewAll(), LEASE_RENEWAL_MS).unref();
    let waitedSince: number | null = null;
    while (!this.covers(holding)) {
      if (this.stopping || !holding.assigned) return null;
      const heldUntil = await this.take(holding);
      if (heldUntil === null) continue;
      if (waitedSince === null) {
        waitedSince = Date.now();
        this.logger.log(`Partition ${leaseId} is leased to another dispatcher until ${heldUntil.toISOString()}`);
      }
      await sleep(Math.min(Math.max(heldUntil.getTime() - Date.now(), 50), HELD_RECHECK_MS));
    }
    if (waitedSince !== null) this.logger.log(`Took partition ${leaseId} after ${Date.now() - waitedSince} ms`);
    // Renewed and given back from the map, which a rebalance during the wait may have emptied.
    this.holdings.set(leaseId, holding);
    const held = holding;
    return { enter: () => this.enter(held) };
  }

  /** After a rebalance: partitions not listed are given back once their deliveries under way are recorded. */
  retainOnly(assigned: { topic: string; partition: number }[]): void {
    const keep = new Set(assigned.map(({ topic, partition }) => partitionLeaseIdOf(topic, partition)));
    for (const holding of this.holdings.values()) holding.assigned = keep.has(holding.leaseId);
  }

  /** From now on no partition is taken; deliveries already under way keep theirs. */
  stopTaking(): void {
    this.stopping = true;
  }

  /**
   * At shutdown, after the drain: the next owners need not wait the leases out. A partition with a
   * delivery still unrecorded (the database away) keeps its lease until it runs out, as after a crash.
   */
  async releaseAll(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const held = [...this.holdings.values()].filter((holding) => holding.untilMs > 0 && holding.active === 0);
    this.holdings.clear();
    await this.leases.release(
      held.map(({ leaseId }) => leaseId),
      this.owner,
    );
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async enter(holding: Holding): Promise<() => void> {
    while (!this.covers(holding)) {
      if (holding.untilMs === 0 && !holding.renewing)
        throw new AbandonedDeliveryError(`partition ${holding.leaseId} was taken over by another dispatcher`);
      // The renewal is late (a slow or absent database): wait for it.
      await (holding.renewing ?? this.renew(holding));
    }
    holding.active += 1;
    let left = false;
    return () => {
      if (!left) holding.active -= 1;
      left = true;
    };
  }

  private covers(holding: Holding): boolean {
    return holding.untilMs - Date.now() >= this.deliveryMs;
  }

  /** Takes or renews the lease; null when held here now, else until when another dispatcher holds it. */
  private async take(holding: Holding): Promise<Date | null> {
    const state = await untilAvailable(
      this.logger,
      `Leasing partition ${holding.leaseId}`,
      () => this.leases.take(holding.leaseId, this.owner, this.leaseMs),
      isDatabaseUnavailable,
    );
    this.settle(holding, state);
    return state.held ? null : state.leaseUntil;
  }

  private settle(holding: Holding, state: LeaseState): void {
    holding.untilMs = state.held ? state.leaseUntil.getTime() : 0;
  }

  /** One renewal at a time per lease. */
  private renew(holding: Holding): Promise<void> {
    if (!holding.renewing) {
      const renewing = this.renewOnce(holding).finally(() => (holding.renewing = undefined));
      holding.renewing = renewing;
    }
    return holding.renewing;
  }

  /** A failed renewal leaves the lease as it was, for the next one. */
  private async renewOnce(holding: Holding): Promise<void> {
    try {
      const state = await this.leases.take(holding.leaseId, this.owner, this.leaseMs);
      if (!state.held && holding.untilMs > 0)
        this.logger.warn(`Lost partition ${holding.leaseId}: its deliveries not yet started are left to its owner`);
      this.settle(holding, state);
    } catch (error) {
      this.logger.warn(`Renewing the lease of partition ${holding.leaseId} failed: ${(error as Error).message}`);
      await sleep(HELD_RECHECK_MS);
    }
  }

  private async renewAll(): Promise<void> {
    const giveBack: string[] = [];
    const renewing: Holding[] = [];
    for (const holding of this.holdings.values()) {
      if (holding.assigned || holding.active > 0) {
        if (holding.untilMs > 0 && !holding.renewing) renewing.push(holding);
        continue;
      }
      if (holding.untilMs > 0) giveBack.push(holding.leaseId);
      this.holdings.delete(holding.leaseId);
    }
    await this.renewTogether(renewing);
    if (giveBack.length === 0) return;
    await this.leases.release(giveBack, this.owner).catch((error: Error) => {
      // Not given back: the next owner waits for it to run out instead.
      this.logger.warn(`Giving back partitions ${giveBack.join(', ')} failed: ${error.message}`);
    });
  }

  /** One write renews them all while all are still ours; otherwise each is asked on its own. */
  private async renewTogether(holdings: Holding[]): Promise<void> {
    if (holdings.length === 0) return;
    try {
      const { renewed, leaseUntil } = await this.leases.renew(
        holdings.map(({ leaseId }) => leaseId),
        this.owner,
        this.leaseMs,
      );
      if (renewed) {
        for (const holding of holdings) holding.untilMs = leaseUntil.getTime();
        return;
      }
    } catch (error) {
      this.logger.warn(`Renewing partition leases failed: ${(error as Error).message}`);
      return;
    }
    await Promise.all(holdings.map((holding) => this.renew(holding)));
  }
}
