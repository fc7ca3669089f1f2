import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyOnly } from '../duplicate-key';
import { PARTITION_LEASE_MODEL, PartitionLeaseDocument } from './partition-lease.schema';

/** The lease after an attempt to take or renew it: this owner's until `leaseUntil`, or someone else's. */
export interface LeaseState {
  held: boolean;
  leaseUntil: Date;
}

@Injectable()
export class PartitionLeaseRepository {
  constructor(@InjectModel(PARTITION_LEASE_MODEL) private readonly leases: Model<PartitionLeaseDocument>) {}

  /**
   * Takes the lease, or renews it for its owner, until `leaseMs` from now. A lease someone else holds is
   * taken only once it has run out. The first take is an insert, so the `_id` index settles a race to
   * create it; after that, a conditional update on one document.
   */
  async take(leaseId: string, owner: string, leaseMs: number): Promise<LeaseState> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const taken = await this.leases.collection.updateOne(
      { _id: leaseId, $or: [{ owner }, { leaseUntil: { $lt: now } }] } as never,
      { $set: { owner, leaseUntil } },
    );
    if (taken.matchedCount === 1) return { held: true, leaseUntil };
    try {
      await this.leases.collection.insertOne({ _id: leaseId, owner, leaseUntil } as never);
      return { held: true, leaseUntil };
    } catch (error) {
      if (!isDuplicateKeyOnly(error)) throw error;
    }
    const holder = await this.leases.collection.findOne({ _id: leaseId } as never);
    // Gone again between the two writes (released): ask again at once.
    if (!holder) return { held: false, leaseUntil: now };
    return { held: holder.owner === owner, leaseUntil: holder.leaseUntil };
  }

  /**
   * Renews the owner's leases in one write; true when every one was still its own (as it usually is). On
   * false, `take` each to learn which were lost.
   */
  async renew(leaseIds: string[], owner: string, leaseMs: number): Promise<{ renewed: boolean; leaseUntil: Date }> {
    const leaseUntil = new Date(Date.now() + leaseMs);
    if (leaseIds.length === 0) return { renewed: true, leaseUntil };
    const { matchedCount } = await this.leases.collection.updateMany({ _id: { $in: leaseIds }, owner } as never, {
      $set: { leaseUntil },
    });
    return { renewed: matchedCount === leaseIds.length, leaseUntil };
  }

  /** Gives leases back, only where this owner still holds them, so the next owner need not wait them out. */
  async release(leaseIds: string[], owner: string): Promise<void> {
    if (leaseIds.length === 0) return;
    await this.leases.deleteMany({ _id: { $in: leaseIds }, owner });
  }
}
