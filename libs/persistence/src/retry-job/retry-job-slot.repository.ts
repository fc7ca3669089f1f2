import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyOnly } from '../duplicate-key';
import { TenantId } from '../tenant';
import { RETRY_JOB_SLOT_MODEL, RetryJobSlotDocument, retryJobSlotIdOf } from './retry-job-slot.schema';

@Injectable()
export class RetryJobSlotRepository {
  constructor(@InjectModel(RETRY_JOB_SLOT_MODEL) private readonly slots: Model<RetryJobSlotDocument>) {}

  /** The tenant's first `count` slots as they are now (absent ones are free). */
  async findAll(tenantId: TenantId, count: number): Promise<RetryJobSlotDocument[]> {
    const ids = Array.from({ length: count }, (_, slot) => retryJobSlotIdOf(tenantId, slot));
    return this.slots
      .find({ _id: { $in: ids } })
      .lean<RetryJobSlotDocument[]>()
      .exec();
  }

  /** Takes a free slot for the job; resolves to false when it is held. */
  async take(tenantId: TenantId, slot: number, jobId: string): Promise<boolean> {
    try {
      await this.slots.collection.insertOne({
        _id: retryJobSlotIdOf(tenantId, slot),
        tenantId,
        jobId,
        createdAt: new Date(),
      } as never);
      return true;
    } catch (error) {
      if (isDuplicateKeyOnly(error)) return false;
      throw error;
    }
  }

  /** Frees a slot, only if this job still holds it. */
  async release(slotId: string, jobId: string): Promise<void> {
    await this.slots.deleteOne({ _id: slotId, jobId });
  }
}
