import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { findManyById } from '../lookup-by-id';
import { isDuplicateKeyOnly } from '../duplicate-key';
import { DELIVERY_TASK_MODEL, DeliveryTaskDocument, DeliveryTaskState } from './delivery-task.schema';

export interface TaskClaim {
  taskId: string;
  attemptId: string;
}

/** A finished attempt: its claim and the delivery-log event to keep with it. */
export interface CompletedTask extends TaskClaim {
  logJson: string;
}

export type ClaimOutcome =
  | { taskId: string; outcome: 'claimed' }
  /** Already done; `logJson` is its attempt's log event, to publish again in case the crash came first. */
  | { taskId: string; outcome: 'completed'; logJson: string | null }
  | { taskId: string; outcome: 'held'; leaseUntil: Date };

@Injectable()
export class DeliveryTaskRepository {
  constructor(@InjectModel(DELIVERY_TASK_MODEL) private readonly tasks: Model<DeliveryTaskDocument>) {}

  /**
   * Claims tasks for `owner`. The usual batch is all new tasks: one insert claims them all, with no
   * read. Only when it collides (a redelivered command, a takeover after a crash, another dispatcher)
   * does the contended path run.
   */
  async claim(claims: TaskClaim[], owner: string, leaseMs: number): Promise<ClaimOutcome[]> {
    if (claims.length === 0) return [];
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const fresh: DeliveryTaskDocument[] = claims.map(({ taskId, attemptId }) => ({
      _id: taskId,
      state: DeliveryTaskState.InFlight,
      owner,
      leaseUntil,
      attemptId,
      createdAt: now,
      completedAt: null,
      logJson: null,
    }));
    try {
      await this.tasks.collection.insertMany(fresh as never[], { ordered: false });
      return claims.map(({ taskId }) => ({ taskId, outcome: 'claimed' }));
    } catch (error) {
      if (!isDuplicateKeyOnly(error)) throw error;
    }
    return this.claimContended(claims, owner, now, leaseUntil);
  }

  /**
   * After a collision: one read of the tasks first, which settles the usual replay (a redelivered
   * command whose task is completed, or held under a live lease) without a write. Only tasks that are
   * missing or whose holder's lease ran out (it crashed mid-delivery) go through a bulk upsert, and are
   * read again. A completed task, or one whose lease is live, makes that upsert collide on _id, which is
   * how "not yours" is detected without a transaction. Who won is read back by attemptId rather than
   * taken from the bulk write's error list: FerretDB reports only the first duplicate of an unordered
   * bulk write, at the wrong index, and skips the statements after it. Tasks this owner's own insert
   * already stored read back as claimed the same way.
   */
  private async claimContended(
    claims: TaskClaim[],
    owner: string,
    now: Date,
    leaseUntil: Date,
  ): Promise<ClaimOutcome[]> {
    const stored = await this.tasksById(claims);
    const open = claims.filter(({ taskId }) => {
      const task = stored.get(taskId);
      return !task || (task.state === DeliveryTaskState.InFlight && task.leaseUntil < now);
    });
    if (open.length > 0) {
      try {
        await this.tasks.bulkWrite(
          open.map(({ taskId, attemptId }) => ({
            updateOne: {
              filter: { _id: taskId, state: DeliveryTaskState.InFlight, leaseUntil: { $lt: now } },
              update: {
                $set: { owner, leaseUntil, attemptId, state: DeliveryTaskState.InFlight },
                $setOnInsert: { createdAt: now, completedAt: null, logJson: null },
              },
              upsert: true,
            },
          })),
          { ordered: false },
        );
      } catch (error) {
        if (!isDuplicateKeyOnly(error)) throw error;
      }
      for (const [taskId, task] of await this.tasksById(open)) stored.set(taskId, task);
    }
    return claims.map(({ taskId, attemptId }): ClaimOutcome => {
      const task = stored.get(taskId);
      // Not written: the statement was skipped. Ask again shortly.
      if (!task) return { taskId, outcome: 'held', leaseUntil: now };
      if (task.state === DeliveryTaskState.Completed) return { taskId, outcome: 'completed', logJson: task.logJson };
      if (task.attemptId === attemptId) return { taskId, outcome: 'claimed' };
      return { taskId, outcome: 'held', leaseUntil: task.leaseUntil };
    });
  }

  /**
   * Marks tasks completed with their attempt's log event. By _id alone, the filter FerretDB serves from
   * an index: a holder whose lease ran out and was taken over still made its attempt, so storing its log
   * is as true as storing the new holder's (who overwrites it when it finishes).
   */
  async complete(tasks: CompletedTask[]): Promise<void> {
    if (tasks.length === 0) return;
    const now = new Date();
    await this.tasks.bulkWrite(
      tasks.map(({ taskId, logJson }) => ({
        updateOne: {
          filter: { _id: taskId },
          update: { $set: { state: DeliveryTaskState.Completed, completedAt: now, logJson } },
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

  private async tasksById(claims: TaskClaim[]): Promise<Map<string, DeliveryTaskDocument>> {
    const tasks = await findManyById(
      this.tasks,
      claims.map(({ taskId }) => taskId),
    );
    return new Map(tasks.map((task) => [task._id, task] as const));
  }
}
