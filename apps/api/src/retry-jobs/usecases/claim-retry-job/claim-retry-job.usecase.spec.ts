import { AppConfig } from '@app/config';
import {
  RetryJobDocument,
  RetryJobRepository,
  RetryJobSlotDocument,
  RetryJobSlotRepository,
  RetryJobStatus,
} from '@app/persistence';
import { ClaimRetryJobUseCase } from './claim-retry-job.usecase';

const LEASE_MS = 15_000;
const TENANT = 'acme';

const job = (status: RetryJobStatus, id = 'job-new'): RetryJobDocument =>
  ({ _id: id, tenantId: TENANT, status }) as RetryJobDocument;

/** A stub world: the tenant's slots (by number) and the status of each job holding one. */
function setUp(held: { slot: number; jobId: string; status?: RetryJobStatus; ageMs?: number }[], perTenant = 2) {
  const slotDocs = new Map<string, RetryJobSlotDocument>(
    held.map(({ slot, jobId, ageMs = 0 }) => [
      `${slot}:${TENANT}`,
      { _id: `${slot}:${TENANT}`, tenantId: TENANT, jobId, createdAt: new Date(Date.now() - ageMs) },
    ]),
  );
  const released: string[] = [];
  const slots = {
    findAll: jest.fn(async () => [...slotDocs.values()]),
    take: jest.fn(async (_tenant: string, slot: number, jobId: string) => {
      const id = `${slot}:${TENANT}`;
      if (slotDocs.has(id)) return false;
      slotDocs.set(id, { _id: id, tenantId: TENANT, jobId, createdAt: new Date() });
      return true;
    }),
    release: jest.fn(async (slotId: string, jobId: string) => {
      if (slotDocs.get(slotId)?.jobId !== jobId) return;
      slotDocs.delete(slotId);
      released.push(slotId);
    }),
  };
  const jobs = {
    findStatuses: jest.fn(async (ids: string[]) =>
      held
        .filter(({ jobId, status }) => ids.includes(jobId) && status)
        .map(({ jobId, status }) => ({ _id: jobId, status })),
    ),
    start: jest.fn(async (jobId: string, slotId: string, owner: string) => ({
      ...job(RetryJobStatus.Running, jobId),
      slotId,
      owner,
    })),
    resume: jest.fn(async (jobId: string, owner: string) => ({ ...job(RetryJobStatus.Running, jobId), owner })),
  };
  const config = {
    get: (key: string) => (key === 'BULK_RETRY_JOBS_PER_TENANT' ? perTenant : undefined),
    durationMs: () => LEASE_MS,
  } as unknown as AppConfig;
  const useCase = new ClaimRetryJobUseCase(
    jobs as unknown as RetryJobRepository,
    slots as unknown as RetryJobSlotRepository,
    config,
  );
  return { useCase, jobs, slots, released, slotDocs };
}

describe('ClaimRetryJobUseCase', () => {
  it('resumes a running job (its lease expired) without touching slots', async () => {
    const { useCase, jobs, slots } = setUp([]);
    const claimed = await useCase.execute(job(RetryJobStatus.Running, 'job-1'), 'runner-b');
    expect(claimed).toMatchObject({ _id: 'job-1', owner: 'runner-b' });
    expect(jobs.resume).toHaveBeenCalledWith('job-1', 'runner-b', expect.any(Date), expect.any(Date));
    expect(slots.take).not.toHaveBeenCalled();
  });

  it.each([
    [`0:${TENANT}`, 'no slot is held', []],
    [`1:${TENANT}`, 'slot 0 runs a job', [{ slot: 0, jobId: 'a', status: RetryJobStatus.Running }]],
    [
      `0:${TENANT}`,
      'slot 0 holds a job that completed (a crash before its release)',
      [
        { slot: 0, jobId: 'a', status: RetryJobStatus.Completed },
        { slot: 1, jobId: 'b', status: RetryJobStatus.Running },
      ],
    ],
    [
      `0:${TENANT}`,
      'slot 0 holds a cancelled job',
      [
        { slot: 0, jobId: 'a', status: RetryJobStatus.Cancelled },
        { slot: 1, jobId: 'b', status: RetryJobStatus.Running },
      ],
    ],
    [
      `1:${TENANT}`,
      'slot 1 holds a job that no longer exists (purged)',
      [
        { slot: 0, jobId: 'a', status: RetryJobStatus.Running },
        { slot: 1, jobId: 'gone' },
      ],
    ],
    [
      `1:${TENANT}`,
      'slot 1 holds a job still queued a lease after the slot was taken (a crash before it started)',
      [
        { slot: 0, jobId: 'a', status: RetryJobStatus.Running },
        { slot: 1, jobId: 'b', status: RetryJobStatus.Queued, ageMs: LEASE_MS + 1_000 },
      ],
    ],
  ])('starts a queued job in slot %s when %s', async (slotId, _label, held) => {
    const { useCase, jobs } = setUp(held);
    const claimed = await useCase.execute(job(RetryJobStatus.Queued), 'runner-a');
    expect(claimed).toMatchObject({ status: RetryJobStatus.Running, slotId, owner: 'runner-a' });
    expect(jobs.start).toHaveBeenCalledWith('job-new', slotId, 'runner-a', expect.any(Date));
  });

  it.each([
    [
      'both slots run jobs',
      [
        { slot: 0, jobId: 'a', status: RetryJobStatus.Running },
        { slot: 1, jobId: 'b', status: RetryJobStatus.Running },
      ],
    ],
    [
      'a slot was just taken for a job whose start may be under way',
      [
        { slot: 0, jobId: 'a', status: RetryJobStatus.Running },
        { slot: 1, jobId: 'b', status: RetryJobStatus.Queued, ageMs: 1_000 },
      ],
    ],
  ])('leaves a queued job waiting when %s', async (_label, held) => {
    const { useCase, jobs, released } = setUp(held);
    expect(await useCase.execute(job(RetryJobStatus.Queued), 'runner-a')).toBeNull();
    expect(jobs.start).not.toHaveBeenCalled();
    expect(released).toEqual([]);
  });

  it('frees the slot it took when the job was started by another runner or cancelled meanwhile', async () => {
    const { useCase, jobs, slotDocs } = setUp([]);
    jobs.start.mockResolvedValueOnce(null as never);
    expect(await useCase.execute(job(RetryJobStatus.Queued), 'runner-a')).toBeNull();
    expect([...slotDocs.keys()]).toEqual([]);
  });

  it('uses only BULK_RETRY_JOBS_PER_TENANT slots', async () => {
    const { useCase, slots } = setUp([{ slot: 0, jobId: 'a', status: RetryJobStatus.Running }], 1);
    expect(await useCase.execute(job(RetryJobStatus.Queued), 'runner-a')).toBeNull();
    expect(slots.take).not.toHaveBeenCalled();
  });
});
