import { randomUUID } from 'node:crypto';
import { DeliveryLogV1 } from '@app/contracts';
import {
  DELIVERY_ATTEMPT_MODEL,
  DELIVERY_TASK_MODEL,
  DeliveryAttemptDocument,
  DeliveryAttemptRepository,
  DeliveryTaskDocument,
  DeliveryTaskRepository,
  DeliveryTaskState,
  TaskClaim,
} from '@app/persistence';
import { deliveryLog } from '../support/delivery-log';
import { TestDatabase } from '../support/test-database';
import { sleep } from '../support/wait-for';

const LEASE_MS = 60_000;

/**
 * Delivery claims against the real test database: new tasks are claimed by one insert, and a batch
 * that collides with existing tasks still tells each caller exactly which tasks are theirs, which are
 * held by someone else and which are done (their holder's attempt is stored, the outbox).
 */
describe('DeliveryTaskRepository.claim', () => {
  let db: TestDatabase;
  let tasks: DeliveryTaskRepository;
  let attempts: DeliveryAttemptRepository;

  beforeAll(async () => {
    db = await TestDatabase.connect('delivery_tasks');
    const attemptModel = db.connection.model<DeliveryAttemptDocument>(DELIVERY_ATTEMPT_MODEL);
    tasks = new DeliveryTaskRepository(db.connection.model<DeliveryTaskDocument>(DELIVERY_TASK_MODEL), attemptModel);
    attempts = new DeliveryAttemptRepository(attemptModel);
  });

  afterAll(async () => {
    await db?.close();
  });

  const newClaims = (count: number): TaskClaim[] =>
    Array.from({ length: count }, () => ({ taskId: `cmd-${randomUUID()}:wh`, attemptId: randomUUID() }));
  const retake = (claims: TaskClaim[]): TaskClaim[] =>
    claims.map(({ taskId }) => ({ taskId, attemptId: randomUUID() }));
  /** What the dispatcher stores when it finishes the attempt a claim was for. */
  const finish = (claims: TaskClaim[]): Promise<DeliveryLogV1[]> => {
    const logs = claims.map(({ attemptId }) => deliveryLog({ attemptId, stored: true }));
    return attempts.insertLogs(logs).then(() => logs);
  };

  it('claims a batch of new tasks', async () => {
    const claims = newClaims(20);
    const outcomes = await tasks.claim(claims, 'dispatcher-a', LEASE_MS);
    expect(outcomes.map(({ outcome }) => outcome)).toEqual(claims.map(() => 'claimed'));
  });

  it('tells apart its own new tasks, tasks another dispatcher holds and completed ones in one batch', async () => {
    const heldElsewhere = newClaims(5);
    const done = newClaims(5);
    await tasks.claim([...heldElsewhere, ...done], 'dispatcher-a', LEASE_MS);
    const logs = await finish(done);
    const fresh = newClaims(10);
    // Collisions first and in between: FerretDB drops the rest of an insert after its first duplicate.
    const batch = [...retake(heldElsewhere), ...fresh.slice(0, 5), ...retake(done), ...fresh.slice(5)];

    const outcomes = await tasks.claim(batch, 'dispatcher-b', LEASE_MS);

    const byTask = new Map(outcomes.map((outcome) => [outcome.taskId, outcome] as const));
    for (const { taskId } of heldElsewhere) expect(byTask.get(taskId)).toMatchObject({ outcome: 'held' });
    done.forEach(({ taskId }, index) => {
      const outcome = byTask.get(taskId);
      expect(outcome).toMatchObject({ taskId, outcome: 'completed' });
      // The event published again is the one the attempt was stored from.
      expect(JSON.parse((outcome as { logJson: string }).logJson)).toEqual(logs[index]);
    });
    for (const { taskId } of fresh) expect(byTask.get(taskId)).toEqual({ taskId, outcome: 'claimed' });
    const stored = await db.connection
      .model<DeliveryTaskDocument>(DELIVERY_TASK_MODEL)
      .find({ _id: { $in: fresh.map(({ taskId }) => taskId) } })
      .lean<DeliveryTaskDocument[]>()
      .exec();
    expect(stored.map(({ owner }) => owner)).toEqual(fresh.map(() => 'dispatcher-b'));
  });

  it('does not take over a task whose holder finished after its lease ran out', async () => {
    const [slow] = newClaims(1);
    await tasks.claim([slow], 'slow-dispatcher', 1);
    await finish([slow]);
    await sleep(20);
    expect(await tasks.claim(retake([slow]), 'dispatcher-b', LEASE_MS)).toMatchObject([
      { taskId: slow.taskId, outcome: 'completed' },
    ]);
  });

  it('still reads a task completed by a dispatcher of an earlier release, which kept the log on the task', async () => {
    const [legacy] = newClaims(1);
    await db.connection.model<DeliveryTaskDocument>(DELIVERY_TASK_MODEL).collection.insertOne({
      _id: legacy.taskId,
      state: DeliveryTaskState.Completed,
      owner: 'old-dispatcher',
      leaseUntil: new Date(),
      attemptId: legacy.attemptId,
      createdAt: new Date(),
      completedAt: new Date(),
      logJson: '{"legacy":true}',
    } as never);
    expect(await tasks.claim(retake([legacy]), 'dispatcher-b', LEASE_MS)).toEqual([
      { taskId: legacy.taskId, outcome: 'completed', logJson: '{"legacy":true}' },
    ]);
  });

  it('takes over a task whose holder let its lease run out', async () => {
    const [abandoned] = newClaims(1);
    await tasks.claim([abandoned], 'crashed-dispatcher', 1);
    await sleep(20);
    const [takeover] = retake([abandoned]);
    expect(await tasks.claim([takeover], 'dispatcher-b', LEASE_MS)).toEqual([
      { taskId: abandoned.taskId, outcome: 'claimed' },
    ]);
  });
});
