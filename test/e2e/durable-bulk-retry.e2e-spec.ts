import { randomUUID } from 'node:crypto';
import { KafkaTopic } from '@app/contracts';
import { CommandReader, ReadCommand } from '../api/support/command-reader';
import { issueTokenWithCli } from '../console/support/issue-token';
import { AppProcess, freePort } from '../support/app-process';
import { testKafkaBrokers } from '../support/infra';
import { TestKafka } from '../support/kafka-client';
import { TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { sleep, waitFor } from '../support/wait-for';
import { apiCaller } from '../support/api-caller';

interface Job {
  jobId: string;
  status: string;
  matched: number;
  queued: number;
  delivered: number;
  failed: number;
}

/** The default; each page is a scan of the events on FerretDB (MongoDB serves it from an index). */
const PAGE_SIZE = 500;
const PER_TENANT = 2;
const UNFINISHED = ['queued', 'running'];

/**
 * Bulk retry jobs kept in MongoDB and run by whichever API process holds their lease: a job survives the
 * process that ran it (SIGKILL), is listed and cancelled through the API, and a tenant runs at most
 * BULK_RETRY_JOBS_PER_TENANT at once. The events are seeded straight into the database (5,000 through
 * the API would take minutes), each with a stored webhook as its target, as POST /v1/webhooks/events
 * stores them. A dispatcher runs only where deliveries are the point (5,000 of them would take minutes on
 * FerretDB).
 */
describe('Durable bulk retry jobs (api processes, a dispatcher, Kafka, FerretDB, an HTTP receiver)', () => {
  let db: TestDatabase;
  let receiver: TestReceiver;
  let commands: CommandReader;
  let kafka: TestKafka;
  let api: AppProcess;
  let shared: Record<string, string>;
  const apiEnv = () => ({
    ...shared,
    ALLOW_HTTP_WEBHOOKS: 'true',
    RATE_LIMIT_PER_MINUTE: '100000',
    BULK_RETRY_PAGE_SIZE: String(PAGE_SIZE),
    BULK_RETRY_JOBS_PER_TENANT: String(PER_TENANT),
    BULK_RETRY_LEASE: '3s',
  });

  const newTenant = async (name: string) => {
    const tenantId = `${name}-${randomUUID().slice(0, 8)}`;
    const token = await issueTokenWithCli(shared, tenantId);
    const call = apiCaller(() => api.port, token);
    return { tenantId, call };
  };
  type Tenant = Awaited<ReturnType<typeof newTenant>>;

  /** `count` stored events of the tenant, each targeting one stored webhook at the receiver's `path`. */
  const seedEvents = async (tenant: Tenant, count: number, path = '/unused') => {
    const webhook = await db.createWebhook(tenant.tenantId, receiver.url(path));
    const events = await db.createEvents(tenant.tenantId, 'invoice.paid', count, [webhook]);
    return events.map((event) => event._id);
  };

  const startJob = async (tenant: Tenant, body: object = {}) => {
    const accepted = await tenant.call('/v1/webhooks/events/retry', { method: 'POST', body });
    expect(accepted.status).toBe(202);
    return accepted.body.data as { jobId: string; status: string };
  };

  const getJob = async (tenant: Tenant, jobId: string): Promise<Job> => {
    const answer = await tenant.call(`/v1/webhooks/retry-jobs/${jobId}`);
    expect(answer.status).toBe(200);
    return answer.body.data as Job;
  };

  const finished = (tenant: Tenant, jobId: string, timeoutMs = 60_000) =>
    waitFor(
      `retry job ${jobId} to end`,
      async () => {
        const job = await getJob(tenant, jobId);
        return UNFINISHED.includes(job.status) ? undefined : job;
      },
      timeoutMs,
    );

  const startApi = async (label: string) => new AppProcess('api', await freePort(), apiEnv(), label).start();

  beforeAll(async () => {
    db = await TestDatabase.connect('durable_bulk_retry');
    receiver = await new TestReceiver().start();
    shared = { KAFKA_BROKERS: testKafkaBrokers(), MONGODB_URI: db.uri };
    // The API first: it creates the topics the reader subscribes to.
    api = await startApi('durable-bulk-api-1');
    commands = await new CommandReader().start();
    kafka = new TestKafka();
  });

  afterAll(async () => {
    await api?.stop();
    await commands?.stop();
    await kafka?.close();
    await receiver?.stop();
    await db?.close();
  });

  // First: the dispatcher would otherwise also deliver every command the other tests' jobs published.
  it('a job command published again (a page a killed process had not saved) is delivered once and counted once', async () => {
    const tenant = await newTenant('dedupe');
    const eventIds = await seedEvents(tenant, 20, '/dedupe');
    const logs = await kafka.collect(KafkaTopic.DeliveryLogs, { fromBeginning: true });
    const dispatcher = await new AppProcess(
      'dispatcher',
      await freePort(),
      { ...shared, ALLOW_PRIVATE_TARGETS: 'true' },
      'durable-bulk-dispatcher',
    ).start();
    try {
      const { jobId } = await startJob(tenant);
      await waitFor('every event delivered', () => receiver.received('/dedupe').length >= eventIds.length, 120_000);
      await waitFor('the job to count them', async () => (await getJob(tenant, jobId)).delivered >= eventIds.length);

      // What a resumed runner does with the page it found unsaved: the same commands, published again.
      const published = commands.forJob(jobId);
      expect(published).toHaveLength(eventIds.length);
      await kafka.publish(
        KafkaTopic.DeliveryCommands,
        published.map(({ command }) => ({ key: command.eventId, value: JSON.stringify(command) })),
      );
      // The dispatcher handled each copy: it found the attempt stored and published its log event again.
      const jobLogs = () =>
        logs
          .map((message) => JSON.parse(message.value!.toString()) as { retryJobId?: string; attemptId: string })
          .filter((log) => log.retryJobId === jobId);
      await waitFor('each copy handled', () => jobLogs().length >= 2 * eventIds.length, 120_000);
      await sleep(1_000);

      expect(new Set(jobLogs().map((log) => log.attemptId)).size).toBe(eventIds.length);
      const deliveredIds = receiver.received('/dedupe').map((request) => request.headers['webhook-id']);
      expect([...deliveredIds].sort()).toEqual([...eventIds].sort());
      expect(await getJob(tenant, jobId)).toMatchObject({ status: 'completed', delivered: 20, failed: 0 });
    } finally {
      await dispatcher.stop();
    }
  }, 300_000);

  it('an API process killed in the middle of a 5,000-event job: another resumes it, and each event is queued once, under one command id', async () => {
    const tenant = await newTenant('crash');
    const eventIds = await seedEvents(tenant, 5_000);
    const { jobId, status } = await startJob(tenant);
    expect(status).toBe('running');

    // SIGKILL once a few pages are saved: no shutdown hook hands the job back.
    const atKill = await waitFor(
      'the job to be partway',
      async () => {
        const job = await getJob(tenant, jobId);
        return job.queued >= 2 * PAGE_SIZE ? job : undefined;
      },
      60_000,
      20,
    );
    await api.kill();
    const stored = await db.connection.collection('retry_jobs').findOne({ _id: jobId } as never);
    expect(stored?.status).toBe('running');
    expect(stored!.queued).toBeGreaterThanOrEqual(atKill.queued);
    // Not vacuous: the job was cut off with events left to queue.
    expect(stored!.queued).toBeLessThan(eventIds.length);

    api = await startApi('durable-bulk-api-2');
    const job = await finished(tenant, jobId, 180_000);
    expect(job).toMatchObject({ status: 'completed', matched: 5_000, queued: 5_000 });

    // What this proves, from the commands topic read from its beginning: every event's command was
    // published, always under the one command id the job gives that event, and the resumed run started at
    // the saved cursor, so only the page the killed process had published but not saved may appear twice.
    // The dispatcher claims (command id, webhook) pairs, so such a copy is not delivered again (next test).
    await waitFor(
      'a command for every event',
      () => new Set(commands.forJob(jobId).map(({ command }) => command.eventId)).size >= eventIds.length,
      60_000,
    );
    await sleep(500);
    const all: ReadCommand[] = commands.forJob(jobId);
    expect(new Set(all.map(({ command }) => command.eventId))).toEqual(new Set(eventIds));
    expect(all.filter(({ command }) => command.commandId !== `retry-job:${jobId}:${command.eventId}`)).toEqual([]);
    expect(new Set(all.map(({ command }) => command.commandId)).size).toBe(eventIds.length);
    expect(all.length - eventIds.length).toBeLessThanOrEqual(PAGE_SIZE);
  }, 400_000);

  it('lists a tenant’s jobs newest first, page by page, and none of another tenant’s', async () => {
    const tenant = await newTenant('list');
    const other = await newTenant('list-other');
    const started: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const { jobId } = await startJob(tenant, { type: `nothing.${index}` });
      started.push(jobId);
      await finished(tenant, jobId);
    }
    await startJob(other);

    const first = await tenant.call('/v1/webhooks/retry-jobs?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data.items.map((item: Job) => item.jobId)).toEqual([started[2], started[1]]);
    expect(first.body.data.items[0]).toEqual({
      jobId: started[2],
      status: 'completed',
      filter: { type: 'nothing.2' },
      matched: 0,
      queued: 0,
      delivered: 0,
      failed: 0,
      error: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const second = await tenant.call(`/v1/webhooks/retry-jobs?limit=2&cursor=${first.body.data.nextCursor}`);
    expect(second.body.data).toEqual({ items: [expect.objectContaining({ jobId: started[0] })], nextCursor: null });

    expect(await tenant.call('/v1/webhooks/retry-jobs?cursor=nope')).toEqual({
      status: 400,
      body: { message: 'cursor is invalid' },
    });
    expect(await tenant.call('/v1/webhooks/retry-jobs?limit=0')).toEqual({
      status: 400,
      body: { message: 'limit must be an integer between 1 and 100' },
    });
  });

  it('a cancelled job stops publishing; the events it queued before stay queued', async () => {
    const tenant = await newTenant('cancel');
    const eventIds = await seedEvents(tenant, 3_000);
    const { jobId, status } = await startJob(tenant);
    expect(status).toBe('running');
    await waitFor('the first page', async () => (await getJob(tenant, jobId)).queued > 0, 30_000, 20);

    const cancelled = await tenant.call(`/v1/webhooks/retry-jobs/${jobId}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data).toMatchObject({ jobId, status: 'cancelled' });
    const queuedAtCancel = cancelled.body.data.queued as number;
    expect(queuedAtCancel).toBeLessThan(eventIds.length);

    // Longer than a lease: no runner, this one or another, takes the job up again.
    await sleep(4_000);
    const published = commands.forJob(jobId).length;
    expect(published).toBeGreaterThanOrEqual(queuedAtCancel);
    // The page in flight when the cancel landed may still have gone out; nothing after it.
    expect(published).toBeLessThanOrEqual(queuedAtCancel + PAGE_SIZE);
    expect(published).toBeLessThan(eventIds.length);
    await sleep(2_000);
    expect(commands.forJob(jobId)).toHaveLength(published);
    expect(await getJob(tenant, jobId)).toMatchObject({ status: 'cancelled', queued: queuedAtCancel });

    // Cancelling again answers the cancelled job; an ended job cannot be cancelled.
    const again = await tenant.call(`/v1/webhooks/retry-jobs/${jobId}/cancel`, { method: 'POST' });
    expect(again).toEqual({
      status: 200,
      body: { success: true, data: expect.objectContaining({ status: 'cancelled' }) },
    });
    const done = await startJob(tenant, { type: 'nothing.matches' });
    await finished(tenant, done.jobId);
    expect(await tenant.call(`/v1/webhooks/retry-jobs/${done.jobId}/cancel`, { method: 'POST' })).toEqual({
      status: 409,
      body: { message: 'Retry job is already completed' },
    });
    expect(await tenant.call(`/v1/webhooks/retry-jobs/${randomUUID()}/cancel`, { method: 'POST' })).toEqual({
      status: 404,
      body: { message: 'Retry job not found' },
    });
    expect(await tenant.call('/v1/webhooks/retry-jobs/12/cancel', { method: 'POST' })).toEqual({
      status: 400,
      body: { message: 'jobId must be a valid UUID' },
    });
  }, 300_000);

  it(`runs at most ${PER_TENANT} jobs of a tenant at once: the next waits queued until one ends, other tenants run theirs`, async () => {
    const tenant = await newTenant('cap');
    const eventIds = await seedEvents(tenant, 2_000);
    const other = await newTenant('cap-other');
    await seedEvents(other, 10);

    const first = await startJob(tenant);
    const second = await startJob(tenant);
    const third = await startJob(tenant);
    expect([first.status, second.status, third.status]).toEqual(['running', 'running', 'queued']);
    expect((await getJob(tenant, third.jobId)).status).toBe('queued');
    // Another tenant's job does not wait for this one's.
    const elsewhere = await startJob(other);
    expect(elsewhere.status).toBe('running');

    // Watch the list: never more than PER_TENANT running, and the third starts only once one has ended.
    const snapshots: Record<string, string>[] = [];
    await waitFor(
      'every job of the tenant to end',
      async () => {
        const page = await tenant.call('/v1/webhooks/retry-jobs?limit=10');
        const statuses = Object.fromEntries(page.body.data.items.map((job: Job) => [job.jobId, job.status]));
        snapshots.push(statuses);
        return Object.values(statuses).every((status) => !UNFINISHED.includes(status as string));
      },
      120_000,
      25,
    );
    for (const statuses of snapshots) {
      expect(Object.values(statuses).filter((status) => status === 'running').length).toBeLessThanOrEqual(PER_TENANT);
    }
    const thirdStarted = snapshots.find((statuses) => statuses[third.jobId] !== 'queued')!;
    expect([thirdStarted[first.jobId], thirdStarted[second.jobId]]).toContain('completed');

    for (const { jobId } of [first, second, third]) {
      expect(await getJob(tenant, jobId)).toMatchObject({ status: 'completed', matched: 2_000, queued: 2_000 });
    }
    const thirdCommands = await waitFor('the third job’s commands', () => {
      const read = commands.forJob(third.jobId);
      return read.length >= eventIds.length ? read : undefined;
    });
    expect(new Set(thirdCommands.map(({ command }) => command.eventId))).toEqual(new Set(eventIds));
  }, 300_000);
});
