import { randomUUID } from 'node:crypto';
import { sleep, waitFor } from '../support/wait-for';
import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';
import { CommandReader, ReadCommand } from './support/command-reader';
import { createEvent, createWebhook, UNKNOWN_ID } from './support/fixtures';

const CAP = 600;

/**
 * POST /v1/webhooks/events/retry and GET /v1/webhooks/retry-jobs/{jobId}. No dispatcher runs here, so a
 * job's final state is what the API itself finishes: `completed`, with `matched` and `queued` counted and the
 * commands on Kafka; `delivered` and `failed` (counted by the dispatcher's log writer) stay 0.
 */
describe('Bulk retry', () => {
  let api: ApiTestApp;
  let commands: CommandReader;

  beforeAll(async () => {
    api = await startApiTestApp('bulk_retry', { BULK_RETRY_MAX_EVENTS: String(CAP), RATE_LIMIT_PER_MINUTE: '100000' });
    commands = await new CommandReader().start();
  });
  afterAll(async () => {
    await commands?.stop();
    await api?.close();
  });

  const startJob = (who: TestTenant, body: object) =>
    api.http().post('/v1/webhooks/events/retry').set(who.auth).send(body);

  /** Starts a job, checks the 202, and waits until the API has walked every matching event. */
  const runJob = async (who: TestTenant, body: object) => {
    const accepted = await startJob(who, body).expect(202);
    // Queued when the tenant's slot is still held by the job before, which frees it just after it reads as
    // finished; the runner then starts this one at once.
    expect(accepted.body).toEqual({
      success: true,
      data: { jobId: expect.any(String), status: expect.stringMatching(/^(running|queued)$/) },
    });
    const { jobId } = accepted.body.data;
    const job = await waitFor(`retry job ${jobId} to finish`, async () => {
      const response = await api.http().get(`/v1/webhooks/retry-jobs/${jobId}`).set(who.auth).expect(200);
      return ['queued', 'running'].includes(response.body.data.status) ? undefined : response.body;
    });
    return { jobId, job };
  };

  /** The job's commands, once `count` arrived (and a short settle, so extras would show). */
  const commandsOf = async (jobId: string, count: number): Promise<ReadCommand[]> => {
    await waitFor(`${count} command(s) of job ${jobId}`, () => commands.forJob(jobId).length >= count);
    await sleep(500);
    return commands.forJob(jobId);
  };

  const finalJob = (jobId: string, filter: object, counted: number) => ({
    success: true,
    data: {
      jobId,
      status: 'completed',
      filter,
      matched: counted,
      queued: counted,
      delivered: 0,
      failed: 0,
      error: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    },
  });

  const createEvents = async (who: TestTenant, type: string, count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) ids.push(await createEvent(api, who, type, { index }));
    return ids;
  };

  it('queues one manual retry per matching event and ends with its counts', async () => {
    const tenant = await api.newTenant('bulk');
    await createWebhook(api, tenant, { eventTypes: ['invoice.paid'] });
    await createWebhook(api, tenant);
    const paid = await createEvents(tenant, 'invoice.paid', 4);
    await createEvents(tenant, 'order.created', 2);

    const { jobId, job } = await runJob(tenant, { type: 'invoice.paid' });

    expect(job).toEqual(finalJob(jobId, { type: 'invoice.paid' }, 4));
    const sent = await commandsOf(jobId, 4);
    expect(sent.map((read) => read.command.eventId).sort()).toEqual([...paid].sort());
    for (const { key, command } of sent) {
      expect(key).toBe(command.eventId);
      // No webhook named: the dispatcher delivers to the event's currently active subscribers.
      expect(command).toEqual({
        version: 1,
        commandId: expect.any(String),
        eventId: command.eventId,
        trigger: 'manual',
        requestedBy: tenant.tokenId,
        retryJobId: jobId,
        requestedAt: expect.any(String),
      });
    }
  });

  it('with a webhook filter, retries only the events that webhook was a target of, and only to it', async () => {
    const tenant = await api.newTenant('bulk');
    const orders = await createWebhook(api, tenant, { eventTypes: ['order.created'] });
    await createWebhook(api, tenant, { eventTypes: ['invoice.paid'] });
    const targeted = await createEvents(tenant, 'order.created', 3);
    await createEvents(tenant, 'invoice.paid', 2);

    const { jobId, job } = await runJob(tenant, { webhookId: orders });

    expect(job).toEqual(finalJob(jobId, { webhookId: orders }, 3));
    const sent = await commandsOf(jobId, 3);
    expect(sent.map((read) => read.command.eventId).sort()).toEqual([...targeted].sort());
    expect(sent.every((read) => read.command.webhookId === orders)).toBe(true);
  });

  it('narrows by status and by creation time', async () => {
    const tenant = await api.newTenant('bulk');
    const before = new Date(Date.now() - 1_000).toISOString();
    // No webhook: every event is "delivered" at once (nothing to deliver to).
    const events = await createEvents(tenant, 'audit.logged', 3);

    const failed = await runJob(tenant, { status: 'failed' });
    expect(failed.job).toEqual(finalJob(failed.jobId, { status: 'failed' }, 0));

    const delivered = await runJob(tenant, { status: 'delivered', from: before });
    expect(delivered.job).toEqual(finalJob(delivered.jobId, { status: 'delivered', from: before }, 3));
    expect((await commandsOf(delivered.jobId, 3)).map((read) => read.command.eventId).sort()).toEqual(
      [...events].sort(),
    );

    const tooEarly = await runJob(tenant, { to: before });
    expect(tooEarly.job).toEqual(finalJob(tooEarly.jobId, { to: before }, 0));
    expect(commands.forJob(failed.jobId)).toEqual([]);
    expect(commands.forJob(tooEarly.jobId)).toEqual([]);
  });

  it(`walks page after page, newest first, and stops at BULK_RETRY_MAX_EVENTS (${CAP})`, async () => {
    const tenant = await api.newTenant('bulk');
    const created: string[] = [];
    // A few at a time: more than one page of the walk (500), more than the cap.
    for (let batch = 0; batch < 61; batch += 1) {
      created.push(...(await Promise.all(Array.from({ length: 10 }, () => createEvent(api, tenant, 'bulk.event')))));
    }
    // The order the list shows, newest first; the walk uses the list's own cursor.
    const newestFirst = await newestFirstIds(tenant);
    expect([...newestFirst].sort()).toEqual([...created].sort());

    const { jobId, job } = await runJob(tenant, {});

    expect(job).toEqual(finalJob(jobId, {}, CAP));
    const sent = (await commandsOf(jobId, CAP)).map((read) => read.command.eventId);
    expect(sent).toHaveLength(CAP);
    expect(new Set(sent).size).toBe(CAP);
    expect([...sent].sort()).toEqual(newestFirst.slice(0, CAP).sort());
  });

  it("never reaches another tenant's events", async () => {
    const owner = await api.newTenant('owner');
    await createWebhook(api, owner);
    const ownerEvent = await createEvent(api, owner);
    const other = await api.newTenant('other');

    const { jobId, job } = await runJob(other, {});

    expect(job).toEqual(finalJob(jobId, {}, 0));
    await sleep(500);
    expect(commands.forJob(jobId)).toEqual([]);
    const ownerCommands = await commands.forEvent(ownerEvent, 1);
    expect(ownerCommands.map((read) => read.command.trigger)).toEqual(['initial']);
  });

  describe('errors', () => {
    let tenant: TestTenant;
    beforeAll(async () => {
      tenant = await api.newTenant('errors');
    });

    it.each([
      [{ webhookId: 'nope' }, 'webhookId must be a valid UUID'],
      [{ status: 'lost' }, 'status must be one of pending, delivering, delivered, partially_delivered, failed'],
      [{ type: 'has space' }, 'type must be a valid event type'],
      [{ from: 'yesterday' }, 'from must be an ISO 8601 date-time'],
      [{ to: '2025-13-01T00:00:00Z' }, 'to must be an ISO 8601 date-time'],
      [{ eventIds: [UNKNOWN_ID] }, 'property eventIds should not exist'],
    ])('400 for %p', async (body, message) => {
      const response = await startJob(tenant, body).expect(400);
      expect(response.body).toEqual({ message });
    });

    it('404 for an unknown webhook, 409 for a disabled one', async () => {
      const missing = await startJob(tenant, { webhookId: UNKNOWN_ID }).expect(404);
      expect(missing.body).toEqual({ message: 'Webhook not found' });
      const disabled = await createWebhook(api, tenant, { active: false });
      const refused = await startJob(tenant, { webhookId: disabled }).expect(409);
      expect(refused.body).toEqual({ message: 'Webhook is disabled' });
    });

    it('401 without a token', async () => {
      const response = await api.http().post('/v1/webhooks/events/retry').send({}).expect(401);
      expect(response.body).toEqual({ message: 'Missing bearer token' });
    });

    it('GET answers 400 for a bad job id and 404 for an unknown one', async () => {
      const bad = await api.http().get('/v1/webhooks/retry-jobs/12').set(tenant.auth).expect(400);
      expect(bad.body).toEqual({ message: 'jobId must be a valid UUID' });
      const unknown = await api.http().get(`/v1/webhooks/retry-jobs/${randomUUID()}`).set(tenant.auth).expect(404);
      expect(unknown.body).toEqual({ message: 'Retry job not found' });
    });
  });

  async function newestFirstIds(who: TestTenant): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=100&cursor=${cursor}` : 'limit=100';
      const page = await api.http().get(`/v1/webhooks/events?${query}`).set(who.auth).expect(200);
      ids.push(...page.body.data.items.map((item: { eventId: string }) => item.eventId));
      cursor = page.body.data.nextCursor;
    } while (cursor);
    return ids;
  }
});
