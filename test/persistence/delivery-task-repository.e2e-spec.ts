import { randomUUID } from 'node:crypto';
import { DELIVERY_TASK_MODEL, DeliveryTaskDocument, DeliveryTaskRepository, TaskClaim } from '@app/persistence';
import { TestDatabase } from '../support/test-database';

const LEASE_MS = 60_000;

/**
 * Delivery claims against the real test database: new tasks are claimed by one insert, and a batch
 * that collides with existing tasks (duplicates first, which FerretDB stops an insert at) still tells
 * each caller exactly which tasks are theirs, which are held by someone else and which are done.
 */
describe('DeliveryTaskRepository.claim', () => {
  let db: TestDatabase;
  let tasks: DeliveryTaskRepository;

  beforeAll(async () => {
    db = await TestDatabase.connect('delivery_tasks');
    tasks = new DeliveryTaskRepository(db.connection.model<DeliveryTaskDocument>(DELIVERY_TASK_MODEL));
  });

  afterAll(async () => {
    await db?.close();
  });

  const newClaims = (count: number): TaskClaim[] =>
    Array.from({ length: count }, () => ({ taskId: `cmd-${randomUUID()}:wh`, attemptId: randomUUID() }));
  const retake = (claims: TaskClaim[]): TaskClaim[] =>
    claims.map(({ taskId }) => ({ taskId, attemptId: randomUUID() }));

  it('claims a batch of new tasks', async () => {
    const claims = newClaims(20);
    const outcomes = await tasks.claim(claims, 'dispatcher-a', LEASE_MS);
    expect(outcomes.map(({ outcome }) => outcome)).toEqual(claims.map(() => 'claimed'));
  });

  it('tells apart its own new tasks, tasks another dispatcher holds and completed ones in one batch', async () => {
    const heldElsewhere = newClaims(5);
    const done = newClaims(5);
    await tasks.claim([...heldElsewhere, ...done], 'dispatcher-a', LEASE_MS);
    await tasks.complete(done.map((claim) => ({ ...claim, logJson: `{"attemptId":"${claim.attemptId}"}` })));
    const fresh = newClaims(10);
    // Collisions first and in between: FerretDB drops the rest of an insert after its first duplicate.
    const batch = [...retake(heldElsewhere), ...fresh.slice(0, 5), ...retake(done), ...fresh.slice(5)];

    const outcomes = await tasks.claim(batch, 'dispatcher-b', LEASE_MS);

    const byTask = new Map(outcomes.map((outcome) => [outcome.taskId, outcome] as const));
    for (const { taskId } of heldElsewhere) expect(byTask.get(taskId)).toMatchObject({ outcome: 'held' });
    for (const { taskId, attemptId } of done) {
      expect(byTask.get(taskId)).toEqual({ taskId, outcome: 'completed', logJson: `{"attemptId":"${attemptId}"}` });
    }
    for (const { taskId } of fresh) expect(byTask.get(taskId)).toEqual({ taskId, outcome: 'claimed' });
    const stored = await db.connection
      .model<DeliveryTaskDocument>(DELIVERY_TASK_MODEL)
      .find({ _id: { $in: fresh.map(({ taskId }) => taskId) } })
      .lean<DeliveryTaskDocument[]>()
      .exec();
    expect(stored.map(({ owner }) => owner)).toEqual(fresh.map(() => 'dispatcher-b'));
  });

  it('takes over a task whose holder let its lease run out', async () => {
    const [abandoned] = newClaims(1);
    await tasks.claim([abandoned], 'crashed-dispatcher', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [takeover] = retake([abandoned]);
    expect(await tasks.claim([takeover], 'dispatcher-b', LEASE_MS)).toEqual([
      { taskId: abandoned.taskId, outcome: 'claimed' },
    ]);
  });
});
