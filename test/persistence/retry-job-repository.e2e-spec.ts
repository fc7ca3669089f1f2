import { randomUUID } from 'node:crypto';
import {
  asTenantId,
  newRetryJob,
  RETRY_JOB_MODEL,
  RETRY_JOB_SLOT_MODEL,
  RetryJobDocument,
  RetryJobRepository,
  RetryJobSlotDocument,
  RetryJobSlotRepository,
  RetryJobStatus,
} from '@app/persistence';
import { testDbEngine } from '../support/infra';
import { TestDatabase } from '../support/test-database';

const LEASE_MS = 15_000;

/**
 * The writes bulk retry runners rely on, against the real test database: a slot is taken by one job only,
 * a queued job is started by one runner only, a running job is taken over only once its lease expired,
 * and a runner that lost its job (taken over or cancelled) can no longer move its progress.
 */
describe(`Bulk retry jobs and slots (${testDbEngine()})`, () => {
  let db: TestDatabase;
  let jobs: RetryJobRepository;
  let slots: RetryJobSlotRepository;

  beforeAll(async () => {
    db = await TestDatabase.connect('retry_jobs');
    jobs = new RetryJobRepository(db.connection.model<RetryJobDocument>(RETRY_JOB_MODEL));
    slots = new RetryJobSlotRepository(db.connection.model<RetryJobSlotDocument>(RETRY_JOB_SLOT_MODEL));
  });

  afterAll(async () => {
    await db?.close();
  });

  const newJob = async (tenantId: string, changes: Partial<RetryJobDocument> = {}): Promise<RetryJobDocument> => {
    const job = {
      ...newRetryJob({ _id: randomUUID(), tenantId, requestedBy: 'token-1', filter: {} }, new Date()),
      ...changes,
    };
    await jobs.insert(job);
    return job;
  };
  const leaseFromNow = (ms = LEASE_MS) => new Date(Date.now() + ms);
  const progress = (matched: number) => ({
    cursor: { createdAt: new Date(), id: randomUUID() },
    matched,
    queued: matched,
  });

  it('gives a slot to one job of those taking it at once, and frees it only for its holder', async () => {
    const tenant = asTenantId(`t-${randomUUID()}`);
    const contenders = Array.from({ length: 6 }, () => randomUUID());
    const taken = await Promise.all(contenders.map((jobId) => slots.take(tenant, 0, jobId)));
    expect(taken.filter(Boolean)).toHaveLength(1);
    const holder = contenders[taken.indexOf(true)];
    expect((await slots.findAll(tenant, 2)).map((slot) => slot.jobId)).toEqual([holder]);

    await slots.release(
      '0:' + tenant,
      contenders.find((jobId) => jobId !== holder)!,
    );
    expect(await slots.take(tenant, 0, randomUUID())).toBe(false);
    await slots.release('0:' + tenant, holder);
    expect(await slots.take(tenant, 0, randomUUID())).toBe(true);
  });

  // A conditional findOneAndUpdate: one winner, as on MongoDB (on FerretDB, with
  // infra/ferretdb/write-commands-hold-their-collection).
  it('starts a queued job for one runner of those starting it at once', async () => {
    const job = await newJob(`t-${randomUUID()}`);
    const started = await Promise.all(
      ['a', 'b', 'c'].map((owner) => jobs.start(job._id, `slot-${owner}`, owner, leaseFromNow())),
    );
    const winners = started.filter((result) => result !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ status: RetryJobStatus.Running, owner: winners[0]!.slotId!.slice(5) });
  });

  it('lets another runner take a running job only once its lease expired, and the old owner loses it', async () => {
    const job = await newJob(`t-${randomUUID()}`);
    await jobs.start(job._id, 'slot', 'runner-a', leaseFromNow());
    expect(await jobs.resume(job._id, 'runner-b', leaseFromNow(), new Date())).toBeNull();
    expect(await jobs.saveProgress(job._id, 'runner-a', progress(500), leaseFromNow(-1))).toBe(true);

    const resumed = await jobs.resume(job._id, 'runner-b', leaseFromNow(), new Date());
    expect(resumed).toMatchObject({ owner: 'runner-b', queued: 500, slotId: 'slot' });
    expect(await jobs.saveProgress(job._id, 'runner-a', progress(1_000), leaseFromNow())).toBe(false);
    expect(await jobs.renewLease(job._id, 'runner-a', leaseFromNow())).toBe(false);
    expect(await jobs.complete(job._id, 'runner-a')).toBe(false);
    expect(await jobs.saveProgress(job._id, 'runner-b', progress(1_000), leaseFromNow())).toBe(true);
    expect(await jobs.complete(job._id, 'runner-b')).toBe(true);
    expect(await jobs.findById(asTenantId(job.tenantId), job._id)).toMatchObject({
      status: RetryJobStatus.Completed,
      queued: 1_000,
      owner: null,
    });
  });

  it('cancels a queued or running job of the tenant, after which its runner can save nothing', async () => {
    const tenant = asTenantId(`t-${randomUUID()}`);
    const running = await newJob(tenant);
    await jobs.start(running._id, 'slot', 'runner-a', leaseFromNow());
    const queued = await newJob(tenant);

    expect(await jobs.cancel(asTenantId('someone-else'), running._id)).toBeNull();
    expect(await jobs.cancel(tenant, running._id)).toMatchObject({ status: RetryJobStatus.Cancelled, slotId: 'slot' });
    expect(await jobs.cancel(tenant, queued._id)).toMatchObject({ status: RetryJobStatus.Cancelled });
    expect(await jobs.saveProgress(running._id, 'runner-a', progress(500), leaseFromNow())).toBe(false);
    expect(await jobs.complete(running._id, 'runner-a')).toBe(false);
    expect(await jobs.cancel(tenant, running._id)).toBeNull();

    // A job of an earlier release that queued every event (status queued, no lease) has ended.
    const legacy = await newJob(tenant, { leaseUntil: undefined });
    await db.connection.collection('retry_jobs').updateOne({ _id: legacy._id } as never, { $unset: { leaseUntil: 1 } });
    expect(await jobs.cancel(tenant, legacy._id)).toBeNull();
  });

  it('finds queued jobs and running ones with an expired lease, oldest first, and nothing else', async () => {
    const tenant = `t-${randomUUID()}`;
    const at = (seconds: number) => new Date(Date.UTC(2020, 0, 1, 0, 0, seconds));
    const queued = await newJob(tenant, { createdAt: at(2) });
    const orphaned = await newJob(tenant, {
      createdAt: at(1),
      status: RetryJobStatus.Running,
      owner: 'dead',
      leaseUntil: leaseFromNow(-1_000),
    });
    await newJob(tenant, {
      createdAt: at(0),
      status: RetryJobStatus.Running,
      owner: 'alive',
      leaseUntil: leaseFromNow(),
    });
    await newJob(tenant, { createdAt: at(0), status: RetryJobStatus.Completed });
    const legacy = await newJob(tenant, { createdAt: at(0), status: RetryJobStatus.Running });
    await db.connection.collection('retry_jobs').updateOne({ _id: legacy._id } as never, { $unset: { leaseUntil: 1 } });

    const runnable = (await jobs.findRunnable(new Date(), 1_000)).filter((job) => job.tenantId === tenant);
    expect(runnable.map((job) => job._id)).toEqual([orphaned._id, queued._id]);
    // What a runner leaves out: tenants whose slots it found full, jobs it already looked at.
    const skipped = await jobs.findRunnable(new Date(), 1_000, { tenantIds: [tenant], jobIds: [] });
    expect(skipped.filter((job) => job.tenantId === tenant)).toEqual([]);
    const rest = await jobs.findRunnable(new Date(), 1_000, { tenantIds: [], jobIds: [orphaned._id] });
    expect(rest.filter((job) => job.tenantId === tenant).map((job) => job._id)).toEqual([queued._id]);
  });

  it('lists a tenant’s jobs newest first, page by page', async () => {
    const tenant = asTenantId(`t-${randomUUID()}`);
    const created: string[] = [];
    for (let second = 0; second < 5; second += 1)
      created.push((await newJob(tenant, { createdAt: new Date(Date.UTC(2021, 0, 1, 0, 0, second)) }))._id);
    await newJob(`t-${randomUUID()}`);

    const first = await jobs.findPage(tenant, undefined, 3);
    expect(first.items.map((job) => job._id)).toEqual(created.slice(2).reverse());
    const last = first.items[2];
    const second = await jobs.findPage(tenant, { createdAt: last.createdAt, id: last._id }, 3);
    expect(second.items.map((job) => job._id)).toEqual(created.slice(0, 2).reverse());
    expect(second.nextCursor).toBeNull();
  });
});
