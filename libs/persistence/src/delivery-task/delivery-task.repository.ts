import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { DELIVERY_TASK_MODEL, DeliveryTaskDocument, DeliveryTaskState } from './delivery-task.schema';

export interface TaskClaim {
  taskId: string;
  attemptId: string;
}

export type ClaimOutcome =
  | { taskId: string; outcome: 'claimed' }
  | { taskId: string; outcome: 'completed' }
  | { taskId: string; outcome: 'held'; leaseUntil: Date };

@Injectable()
export class DeliveryTaskRepository {
  constructor(@InjectModel(DELIVERY_TASK_MODEL) private readonly tasks: Model<DeliveryTaskDocument>) {}

  /**
   * Claims tasks for `owner` in one round trip. A task is claimable when it does not exist yet or its
   * holder's lease ran out (that holder crashed mid-delivery). A completed task, or one whose lease is
   * live, makes the upsert collide on _id, which is how "not yours" is detected without a transaction.
   */
  async claim(claims: TaskClaim[], owner: string, leaseMs: number): Promise<ClaimOutcome[]> {
    if (claims.length === 0) return [];
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const failedIndexes = new Set<number>();
    try {
      await this.tasks.bulkWrite(
        claims.map(({ taskId, attemptId }) => ({
          updateOne: {
            filter: { _id: taskId, state: DeliveryTaskState.InFlight, leaseUntil: { $lt: now } },
            update: {
              $set: { owner, leaseUntil, attemptId, state: DeliveryTaskState.InFlight },
              $setOnInsert: { createdAt: now, completedAt: null },
            },
            upsert: true,
          },
        })),
        { ordered: false },
      );
    } catch (error) {
      const writeErrors = (error as { writeErrors?: { index: number; code: number }[] }).writeErrors;
      if (!writeErrors) throw error;
      for (const writeError of writeErrors) {
        if (writeError.code !== 11000) throw error;
        failedIndexes.add(writeError.index);
      }
    }
    const refused = claims.filter((_, index) => failedIndexes.has(index)).map((claim) => claim.taskId);
    const holders = new Map((await this.findByIds(refused)).map((task) => [task._id, task] as const));
    return claims.map(({ taskId }, index): ClaimOutcome => {
      if (!failedIndexes.has(index)) return { taskId, outcome: 'claimed' };
      const holder = holders.get(taskId);
      if (!holder || holder.state === DeliveryTaskState.Completed) return { taskId, outcome: 'completed' };
      return { taskId, outcome: 'held', leaseUntil: holder.leaseUntil };
    });
  }

  async complete(tasks: TaskClaim[]): Promise<void> {
    if (tasks.length === 0) return;
    const now = new Date();
    await this.tasks.bulkWrite(
      tasks.map(({ taskId, attemptId }) => ({
        updateOne: {
          filter: { _id: taskId, attemptId },
          update: { $set: { state: DeliveryTaskState.Completed, completedAt: now } },
        },
      })),
      { ordered: false },
    );
  }

  /** Gives a claim back without completing it (shutdown before the request was sent). */
  async release(tasks: TaskClaim[]): Promise<void> {
    if (tasks.length === 0) return;
    await this.tasks.deleteMany({
      $or: tasks.map(({ taskId, attemptId }) => ({ _id: taskId, attemptId, state: DeliveryTaskState.InFlight })),
    });
  }

  async purgeOlderThan(cutoff: Date): Promise<number> {
    const result = await this.tasks.deleteMany({ createdAt: { $lt: cutoff }, state: DeliveryTaskState.Completed });
    return result.deletedCount;
  }

  private async findByIds(ids: string[]): Promise<DeliveryTaskDocument[]> {
    if (ids.length === 0) return [];
    return this.tasks
      .find({ _id: { $in: ids } })
      .lean<DeliveryTaskDocument[]>()
      .exec();
  }
}
