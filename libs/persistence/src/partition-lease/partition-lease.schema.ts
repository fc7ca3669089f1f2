import { Schema } from 'mongoose';

export const PARTITION_LEASE_MODEL = 'PartitionLease';

/**
 * Which dispatcher may send the commands of one Kafka partition. Kafka gives a partition to one consumer
 * at a time, but a consumer that lost it in a rebalance (or stalled past its session) may still have
 * requests on the wire; the lease keeps the partition's next owner from sending until those are finished
 * and recorded, so one write per partition every few seconds stands in for a claim per delivery.
 */
export interface PartitionLeaseDocument {
  /** "<topic>:<partition>" */
  _id: string;
  owner: string;
  leaseUntil: Date;
}

export const partitionLeaseIdOf = (topic: string, partition: number): string => `${topic}:${partition}`;

export const PartitionLeaseSchema = new Schema<PartitionLeaseDocument>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
  },
  { collection: 'partition_leases', versionKey: false },
);
