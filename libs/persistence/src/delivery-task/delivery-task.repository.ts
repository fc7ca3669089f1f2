import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { findManyById } from '../lookup-by-id';
import { isDuplicateKeyOnly } from '../duplicate-key';
import {
  DELIVERY_ATTEMPT_MODEL,
  DeliveryAttemptDocument,
  logOfAttempt,
} from '../delivery-attempt/delivery-attempt.schema';
import { DELIVERY_TASK_MODEL, DeliveryTaskDocument, DeliveryTaskState } from './delivery-task.schema';

export interface TaskClaim {
  taskId: string;
  attemptId: string;
}

export type ClaimOutcome =
  | { taskId: string; outcome: 'claimed' }
  /** Already done; `logJson` is its attempt's log event, to publish again in case the crash came first. */
  | { taskId: string; outcome: 'completed'; logJson: string | null }
  | { taskId: string; outcome: 'held'; leaseUntil: Date };

@Injectable()
export class DeliveryTaskRepository {
  constructor(
    @InjectModel(DELIVERY_TASK_MODEL) private readonly tasks: Model<DeliveryTaskDocument>,
    @InjectModel(DELIVERY_ATTEMPT_MODEL) private readonly attempts: Model<DeliveryAttemptDocument>,
  ) {}

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
   * After a collision: one read of the tasks, and one of the attempts their holders made, first. A task
   * is done once its holder's attempt is stored (the attempt is the outbox, see DeliveryAttemptDocument),
   * which settles the usual replay (a redelivered command already sent, or one held under a live lease)
   * without a write. Only tasks that are
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
    const made = await this.attemptsOf([...stored.values()]);
    const open = claims.filter(({ taskId }) => {
      const task = stored.get(taskId);
      return !task || (task.state === DeliveryTaskState.InFlight && !made.has(task.attemptId) && task.leaseUntil < now);
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
      const reread = await this.tasksById(open);
      for (const [taskId, task] of reread) stored.set(taskId, task);
      // A holder that was taken for dead may still have finished in the meantime.
      for (const [attemptId, attempt] of await this.attemptsOf([...reread.values()])) made.set(attemptId, attempt);
    }
    return claims.map(({ taskId, attemptId }): ClaimOutcome => {
      const task = stored.get(taskId);
      // Not written: the statement was skipped. Ask again shortly.
      if (!task) return { taskId, outcome: 'held', leaseUntil: now };
      // Completed by a dispatcher of an earlier release, which kept the log on the task.
      if (task.state === DeliveryTaskState.Completed) return { taskId, outcome: 'completed', logJson: task.logJson };
      const attempt = made.get(task.attemptId);
      if (attempt) return { taskId, outcome: 'completed', logJson: JSON.stringify(logOfAttempt(attempt)) };
      // Attempt ids follow from the command: the same command elsewhere is not this claim.
      if (task.attemptId === attemptId && task.owner === owner) return { taskId, outcome: 'claimed' };
      return { taskId, outcome: 'held', leaseUntil: task.leaseUntil };
    });
  }

  /** The stored attempts of these tasks' holders, by attempt id. */
  private async attemptsOf(tasks: DeliveryTaskDocument[]): Promise<Map<string, DeliveryAttemptDocument>> {
    const ids = tasks.filter((task) => task.state === DeliveryTaskState.InFlight).map((task) => task.attemptId);
    if (ids.length === 0) return new Map();
    const attempts = await findManyById(this.attempts, ids);
    return new Map(attempts.map((attempt) => [attempt._id, attempt] as const));
  }

  private async tasksById(claims: TaskClaim[]): Promise<Map<string, DeliveryTaskDocument>> {
    const tasks = await findManyById(
      this.tasks,
      claims.map(({ taskId }) => taskId),
    );
    return new Map(tasks.map((task) => [task._id, task] as const));
  }
}
