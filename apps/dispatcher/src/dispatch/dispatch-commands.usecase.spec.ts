import { sleep } from '@app/common';
import { AppConfig } from '@app/config';
import { attemptIdOf, DeliveryCommand, DeliveryStatus, DeliveryTrigger } from '@app/contracts';
import {
  DeliveryAttemptDocument,
  DeliveryAttemptRepository,
  DeliveryDocument,
  deliveryIdOf,
  DeliveryRepository,
  DeliveryTaskRepository,
  EventDocument,
  EventRepository,
  logOfAttempt,
  newWebhook,
  pendingDeliveryRow,
  TaskClaim,
  WebhookDocument,
  WebhookRepository,
} from '@app/persistence';
import { FifoQueue, FifoTarget } from '../fifo/fifo-queue';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { AttemptRecorder } from '../record-attempts/attempt-recorder';
import { DeliveryPolicy } from '../policy/delivery-policy';
import { DispatcherGroupSize } from '../rate-limit/dispatcher-group-size';
import { AbandonedDeliveryError } from './abandoned-delivery';
import { DispatchCommandsUseCase, UndeliverableCommandError } from './dispatch-commands.usecase';
import { AttemptTarget, SendAttempt } from './send-attempt';

const created = new Date('2030-01-01T00:00:00.000Z');
const event = (id: string, tenantId = 't1', type = 'order.created'): EventDocument => ({
  _id: id,
  tenantId,
  type,
  payloadJson: '{"n":1}',
  idempotencyKey: id,
  status: 'pending' as EventDocument['status'],
  webhookCount: 1,
  createdAt: created,
  updatedAt: created,
});
const webhook = (id: string, changes: Partial<WebhookDocument> = {}): WebhookDocument => ({
  ...newWebhook({ _id: id, tenantId: 't1', url: `https://receiver.test/${id}`, secrets: [] }, created),
  ...changes,
});
const command = (eventId: string, changes: Partial<DeliveryCommand> = {}): DeliveryCommand => ({
  version: 1,
  commandId: `cmd-${eventId}-${changes.webhookId ?? 'all'}`,
  eventId,
  trigger: DeliveryTrigger.Initial,
  ...changes,
});
const row = (eventId: string, webhookId: string, changes: Partial<DeliveryDocument> = {}): DeliveryDocument => ({
  ...pendingDeliveryRow({ tenantId: 't1', eventId, webhookId, url: `https://receiver.test/${webhookId}` }, created),
  ...changes,
});

/** An attempt a dispatcher stored before it crashed. */
const storedAttempt = (commandId: string, eventId: string, webhookId: string): DeliveryAttemptDocument => ({
  _id: attemptIdOf(commandId, webhookId),
  tenantId: 't1',
  eventId,
  webhookId,
  url: `https://receiver.test/${webhookId}`,
  commandId,
  trigger: DeliveryTrigger.Initial,
  requestedBy: null,
  attemptNumber: 1,
  startedAt: created,
  durationMs: 12,
  success: true,
  statusCode: 200,
  errorKind: null,
  errorMessage: null,
  responseBodyExcerpt: 'ok',
  scheduledFailures: 0,
  deliveryStatus: DeliveryStatus.Delivered,
  createdAt: created,
});

/** The use case over in-memory repositories, under a partition lease that always holds; every FIFO claim succeeds unless a test says otherwise. */
function setUp(data: {
  events?: EventDocument[];
  webhooks?: WebhookDocument[];
  rows?: DeliveryDocument[];
  /** Attempts already stored. */
  attempts?: DeliveryAttemptDocument[];
  /** Dispatchers sharing each webhook's rateLimit. */
  dispatchers?: number;
}) {
  const events = {
    findManyForDispatch: jest.fn(async (ids: string[]) => (data.events ?? []).filter(({ _id }) => ids.includes(_id))),
    setTargetStatus: jest.fn(async () => undefined),
  };
  const webhooks = {
    findByIdsOfAnyTenant: jest.fn(async (ids: string[]) =>
      (data.webhooks ?? []).filter(({ _id }) => ids.includes(_id)),
    ),
    findActiveOfTenants: jest.fn(async (tenantIds: string[]) =>
      (data.webhooks ?? []).filter(({ tenantId, active }) => active && tenantIds.includes(tenantId)),
    ),
  };
  const deliveries = {
    findByIds: jest.fn(async (ids: string[]) => (data.rows ?? []).filter(({ _id }) => ids.includes(_id))),
    ensureTargets: jest.fn(async () => undefined),
    failOpenOfDeletedWebhook: jest.fn(async (_tenantId: string, _webhookId: string) => [] as string[]),
  };
  const attempts = {
    findByIds: jest.fn(async (ids: string[]) => (data.attempts ?? []).filter(({ _id }) => ids.includes(_id))),
  };
  const tasks = {
    claim: jest.fn(async (claims: TaskClaim[]) => claims.map(({ taskId }) => ({ taskId, outcome: 'claimed' }))),
  };
  const leave = jest.fn();
  const lease = { enter: jest.fn(async () => leave) };
  const sendAttempt = {
    execute: jest.fn(async (target: AttemptTarget) => ({
      log: { attemptId: target.attemptId, eventId: target.event._id },
      effect: null,
    })),
  };
  const recorder = { record: jest.fn(async () => undefined), republish: jest.fn(async () => undefined) };
  const fifo = { holdBack: jest.fn(async (_targets: FifoTarget[]) => new Set<string>()) };
  const metrics = {
    payloadBytesInFlight: { set: jest.fn() },
    waitingPartitions: { set: jest.fn() },
    endpointQueued: { set: jest.fn() },
    endpointRateWaiting: { set: jest.fn() },
  };
  const settings: Record<string, number> = { ENDPOINT_CONCURRENCY: 4, DISPATCHER_MAX_IN_FLIGHT_BYTES: 64 << 20 };
  const useCase = new DispatchCommandsUseCase(
    events as unknown as EventRepository,
    webhooks as unknown as WebhookRepository,
    deliveries as unknown as DeliveryRepository,
    attempts as unknown as DeliveryAttemptRepository,
    tasks as unknown as DeliveryTaskRepository,
    sendAttempt as unknown as SendAttempt,
    recorder as unknown as AttemptRecorder,
    fifo as unknown as FifoQueue,
    metrics as unknown as DispatcherMetrics,
    { deliveryLeaseMs: 30_000 } as DeliveryPolicy,
    { get: (key: string) => settings[key] } as unknown as AppConfig,
    { members: data.dispatchers ?? 1 } as DispatcherGroupSize,
    { id: 'dispatcher-under-test' },
  );
  /** Runs a batch to the end: each command's outcome, and the (event, webhook) pairs sent. */
  const run = async (commands: DeliveryCommand[]) => {
    const outcomes = (await Promise.allSettled(await useCase.execute(commands, lease))).map((outcome) =>
      outcome.status === 'fulfilled'
        ? 'done'
        : outcome.reason instanceof UndeliverableCommandError
          ? `undeliverable: ${outcome.reason.message}`
          : outcome.reason,
    );
    const sent = sendAttempt.execute.mock.calls.map(([target]) => `${target.event._id}->${target.webhook._id}`);
    return { outcomes, sent: sent.sort() };
  };
  return {
    run,
    useCase,
    lease,
    leave,
    events,
    webhooks,
    deliveries,
    attempts,
    tasks,
    sendAttempt,
    recorder,
    fifo,
    metrics,
  };
}

describe('DispatchCommandsUseCase planning', () => {
  it('refuses a command for an unknown event and still delivers the rest of the batch', async () => {
    const { run } = setUp({ events: [event('ev-1')], webhooks: [webhook('wh-1')] });
    const { outcomes, sent } = await run([command('ev-missing', { webhookId: 'wh-1' }), command('ev-1')]);
    expect(outcomes).toEqual(['undeliverable: unknown event ev-missing', 'done']);
    expect(sent).toEqual(['ev-1->wh-1']);
  });

  it.each([
    ['a webhook that does not exist', []],
    ["another tenant's webhook", [webhook('wh-x', { tenantId: 't2' })]],
  ])('refuses a command naming %s', async (_case, stored) => {
    const { run } = setUp({ events: [event('ev-1')], webhooks: stored });
    const { outcomes, sent } = await run([command('ev-1', { webhookId: 'wh-x' })]);
    expect(outcomes).toEqual(['undeliverable: unknown webhook wh-x for event ev-1']);
    expect(sent).toEqual([]);
  });

  it("ends a deleted webhook's open deliveries as failed, and rolls their events up, once per batch", async () => {
    const { run, deliveries, events } = setUp({ events: [event('ev-1'), event('ev-2')], webhooks: [] });
    deliveries.failOpenOfDeletedWebhook.mockResolvedValueOnce(['ev-1', 'ev-3']);
    const { outcomes } = await run([
      command('ev-1', { webhookId: 'wh-gone' }),
      command('ev-2', { webhookId: 'wh-gone' }),
    ]);
    expect(outcomes).toEqual([
      'undeliverable: unknown webhook wh-gone for event ev-1',
      'undeliverable: unknown webhook wh-gone for event ev-2',
    ]);
    expect(deliveries.failOpenOfDeletedWebhook.mock.calls).toEqual([['t1', 'wh-gone']]);
    expect(events.setTargetStatus).toHaveBeenCalledWith(['ev-1', 'ev-3'], 'wh-gone', DeliveryStatus.Failed);
  });

  it("fans a command naming no webhook out to the tenant's active subscribers of the event type", async () => {
    const { run, webhooks } = setUp({
      events: [event('ev-1'), event('ev-2', 't2')],
      webhooks: [
        webhook('wh-all'),
        webhook('wh-orders', { eventTypes: ['order.created', 'order.paid'] }),
        webhook('wh-refunds', { eventTypes: ['refund.issued'] }),
        webhook('wh-off', { active: false }),
        webhook('wh-t2', { tenantId: 't2' }),
      ],
    });
    const { sent } = await run([command('ev-1'), command('ev-2'), command('ev-1', { webhookId: 'wh-refunds' })]);
    expect(sent).toEqual(['ev-1->wh-all', 'ev-1->wh-orders', 'ev-1->wh-refunds', 'ev-2->wh-t2']);
    // One read of each kind for the whole batch.
    expect(webhooks.findActiveOfTenants).toHaveBeenCalledTimes(1);
    expect(webhooks.findActiveOfTenants.mock.calls[0][0].sort()).toEqual(['t1', 't2']);
    expect(webhooks.findByIdsOfAnyTenant).toHaveBeenCalledWith(['wh-refunds']);
  });

  it('finishes a command whose event has no subscriber without sending anything', async () => {
    const { run } = setUp({ events: [event('ev-1')], webhooks: [webhook('wh-1', { eventTypes: ['other'] })] });
    const { outcomes, sent } = await run([command('ev-1')]);
    expect(outcomes).toEqual(['done']);
    expect(sent).toEqual([]);
  });

  it('creates the delivery rows a command names for the first time, and sends them as pending', async () => {
    const { run, deliveries, sendAttempt } = setUp({
      events: [event('ev-1')],
      webhooks: [webhook('wh-old'), webhook('wh-new')],
      rows: [row('ev-1', 'wh-old', { status: DeliveryStatus.Retrying, attempts: 1, scheduledFailures: 1 })],
    });
    await run([command('ev-1')]);
    expect(deliveries.ensureTargets).toHaveBeenCalledWith([
      { tenantId: 't1', eventId: 'ev-1', webhookId: 'wh-new', url: 'https://receiver.test/wh-new' },
    ]);
    const deliveryOf = (webhookId: string) =>
      sendAttempt.execute.mock.calls.find(([target]) => target.webhook._id === webhookId)![0].delivery;
    expect(deliveryOf('wh-new')).toEqual({
      status: DeliveryStatus.Pending,
      scheduledFailures: 0,
      nextAttemptAt: null,
      attempts: 0,
    });
    expect(deliveryOf('wh-old')).toMatchObject({ status: DeliveryStatus.Retrying, scheduledFailures: 1 });
  });

  it.each<[DeliveryTrigger, DeliveryStatus, boolean]>([
    [DeliveryTrigger.Automatic, DeliveryStatus.Delivered, false],
    [DeliveryTrigger.Automatic, DeliveryStatus.Failed, false],
    [DeliveryTrigger.Automatic, DeliveryStatus.Retrying, true],
    [DeliveryTrigger.Manual, DeliveryStatus.Delivered, true],
    [DeliveryTrigger.Manual, DeliveryStatus.Failed, true],
    [DeliveryTrigger.Initial, DeliveryStatus.Pending, true],
  ])('%s command for a %s delivery: sent %s', async (trigger, status, expected) => {
    const { run } = setUp({
      events: [event('ev-1')],
      webhooks: [webhook('wh-1')],
      rows: [row('ev-1', 'wh-1', { status, attempts: 1 })],
    });
    const { outcomes, sent } = await run([command('ev-1', { webhookId: 'wh-1', trigger })]);
    expect(outcomes).toEqual(['done']);
    expect(sent).toEqual(expected ? ['ev-1->wh-1'] : []);
  });

  it('asks the FIFO queue about FIFO targets only, and holds back what it says', async () => {
    const { run, fifo } = setUp({
      events: [event('ev-1'), event('ev-2')],
      webhooks: [webhook('wh-fifo', { fifo: true }), webhook('wh-plain')],
      rows: [row('ev-1', 'wh-fifo')],
    });
    fifo.holdBack.mockResolvedValue(new Set([deliveryIdOf('ev-2', 'wh-fifo')]));
    const { sent } = await run([command('ev-1'), command('ev-2')]);

    const asked = fifo.holdBack.mock.calls[0][0].map(({ event: { _id }, webhook: { _id: id }, row: known }) => [
      _id,
      id,
      known?._id ?? null,
    ]);
    expect(asked.sort()).toEqual([
      ['ev-1', 'wh-fifo', 'ev-1:wh-fifo'],
      ['ev-2', 'wh-fifo', null],
    ]);
    expect(sent).toEqual(['ev-1->wh-fifo', 'ev-1->wh-plain', 'ev-2->wh-plain']);
  });
});

describe('DispatchCommandsUseCase sending', () => {
  it('sends under the partition lease with the attempt id its command and webhook give, and records it', async () => {
    const { run, tasks, recorder, sendAttempt, lease, leave } = setUp({
      events: [event('ev-1')],
      webhooks: [webhook('wh-1')],
    });
    leave.mockImplementation(() => expect(recorder.record).toHaveBeenCalledTimes(1));
    await run([command('ev-1', { commandId: 'c-1', webhookId: 'wh-1' })]);
    const attemptId = attemptIdOf('c-1', 'wh-1');
    expect(sendAttempt.execute.mock.calls[0][0].attemptId).toBe(attemptId);
    expect(recorder.record).toHaveBeenCalledWith({ attemptId, eventId: 'ev-1' }, null);
    // The lease is kept until the attempt is recorded, and no claim per delivery is written.
    expect(lease.enter).toHaveBeenCalledTimes(1);
    expect(leave).toHaveBeenCalledTimes(1);
    expect(tasks.claim).not.toHaveBeenCalled();
  });

  it('publishes again the stored attempt of a replayed command, without sending, in one read for the batch', async () => {
    const stored = storedAttempt('c-1', 'ev-1', 'wh-1');
    const { run, attempts, recorder } = setUp({
      events: [event('ev-1'), event('ev-2')],
      webhooks: [webhook('wh-1')],
      attempts: [stored],
    });
    const { outcomes, sent } = await run([
      command('ev-1', { commandId: 'c-1', webhookId: 'wh-1' }),
      command('ev-2', { commandId: 'c-2', webhookId: 'wh-1' }),
    ]);
    expect(outcomes).toEqual(['done', 'done']);
    expect(sent).toEqual(['ev-2->wh-1']);
    expect(attempts.findByIds).toHaveBeenCalledTimes(1);
    expect(recorder.republish).toHaveBeenCalledWith([logOfAttempt(stored)]);
  });

  it('sends a copy of a command under way once: the copy finishes with the original', async () => {
    const { useCase, sendAttempt, lease } = setUp({ events: [event('ev-1')], webhooks: [webhook('wh-1')] });
    let answer!: () => void;
    sendAttempt.execute.mockImplementationOnce(async (target: AttemptTarget) => {
      await new Promise<void>((resolve) => (answer = resolve));
      return { log: { attemptId: target.attemptId, eventId: target.event._id }, effect: null };
    });
    const copy = command('ev-1', { commandId: 'c-1', webhookId: 'wh-1' });
    const first = await useCase.execute([copy, copy], lease);
    await sleep(10);
    const second = await useCase.execute([copy], lease);
    let copyDone = false;
    void second[0].then(() => (copyDone = true));
    await sleep(10);
    expect(copyDone).toBe(false);
    answer();
    await Promise.all([...first, ...second]);
    expect(sendAttempt.execute).toHaveBeenCalledTimes(1);
  });

  it("sends a copy once even when the original is stored while the copy's batch is still being read", async () => {
    const { useCase, sendAttempt, attempts, lease } = setUp({
      events: [event('ev-1'), event('ev-2')],
      webhooks: [webhook('wh-1')],
    });
    let answer!: () => void;
    sendAttempt.execute.mockImplementationOnce(async (target: AttemptTarget) => {
      await new Promise<void>((resolve) => (answer = resolve));
      return { log: { attemptId: target.attemptId, eventId: target.event._id }, effect: null };
    });
    const copy = command('ev-1', { commandId: 'c-1', webhookId: 'wh-1' });
    const first = await useCase.execute([copy], lease);
    await sleep(10);
    // The copy's batch reads its other command's attempts; the original finishes meanwhile.
    attempts.findByIds.mockImplementationOnce(async () => {
      answer();
      await Promise.all(first);
      return [];
    });
    const second = await useCase.execute([copy, command('ev-2', { commandId: 'c-2', webhookId: 'wh-1' })], lease);
    await Promise.all(second);
    expect(sendAttempt.execute.mock.calls.map(([target]) => target.event._id).sort()).toEqual(['ev-1', 'ev-2']);
  });

  it('sends a FIFO schedule step once: a command that does not get its claim sends nothing', async () => {
    const { run, tasks, sendAttempt, recorder } = setUp({
      events: [event('ev-1')],
      webhooks: [webhook('wh-1', { fifo: true })],
      rows: [row('ev-1', 'wh-1', { status: DeliveryStatus.Retrying, attempts: 1, scheduledFailures: 1 })],
    });
    tasks.claim.mockImplementation(async (claims: TaskClaim[]) =>
      claims.map(({ taskId }) => ({ taskId, outcome: 'completed', logJson: null })),
    );
    const { outcomes } = await run([
      command('ev-1', { commandId: 'retry-1', webhookId: 'wh-1', trigger: DeliveryTrigger.Automatic }),
    ]);
    expect(outcomes).toEqual(['done']);
    expect(tasks.claim.mock.calls.flatMap(([claims]) => claims)).toEqual([
      { taskId: 'fifo-step:ev-1:wh-1:1', attemptId: attemptIdOf('retry-1', 'wh-1') },
    ]);
    expect(sendAttempt.execute).not.toHaveBeenCalled();
    expect(recorder.record).not.toHaveBeenCalled();
  });

  it('abandons, unsent, a delivery whose partition another dispatcher took over', async () => {
    const { run, sendAttempt, lease } = setUp({ events: [event('ev-1')], webhooks: [webhook('wh-1')] });
    lease.enter.mockRejectedValueOnce(new AbandonedDeliveryError('partition p was taken over'));
    const { outcomes } = await run([command('ev-1', { webhookId: 'wh-1' })]);
    expect(outcomes).toEqual([expect.any(AbandonedDeliveryError)]);
    expect(sendAttempt.execute).not.toHaveBeenCalled();
  });
});

describe('DispatchCommandsUseCase rate limits', () => {
  const sentTo = (sendAttempt: { execute: jest.Mock }) =>
    sendAttempt.execute.mock.calls.map(([target]: [AttemptTarget]) => target.webhook._id);

  it("spaces a webhook's deliveries by its share of the rateLimit, starting each only when its turn comes", async () => {
    // 10 per second shared by 2 dispatchers: 5 per second here, one every 200 ms.
    const { useCase, sendAttempt, lease } = setUp({
      events: [event('ev-1'), event('ev-2'), event('ev-3')],
      webhooks: [webhook('wh-limited', { rateLimit: 10 }), webhook('wh-free')],
      dispatchers: 2,
    });
    const limitedAt: number[] = [];
    sendAttempt.execute.mockImplementation(async (target: AttemptTarget) => {
      if (target.webhook._id === 'wh-limited') limitedAt.push(performance.now());
      return { log: { attemptId: target.attemptId, eventId: target.event._id }, effect: null };
    });
    const started = performance.now();
    const completions = await useCase.execute([command('ev-1'), command('ev-2'), command('ev-3')], lease);

    await sleep(50);
    const early = sentTo(sendAttempt);
    expect(early.filter((id) => id === 'wh-free')).toHaveLength(3);
    expect(early.filter((id) => id === 'wh-limited')).toHaveLength(1);

    await Promise.all(completions);
    const limited = limitedAt.map((at) => at - started).sort((a, b) => a - b);
    expect(limited).toHaveLength(3);
    // A token comes every 200 ms (timers may fire a millisecond early).
    expect(limited[1] - limited[0]).toBeGreaterThanOrEqual(195);
    expect(limited[2] - limited[1]).toBeGreaterThanOrEqual(195);
  });

  it('lets a disabled webhook record its attempts without waiting for a rate', async () => {
    const { run, sendAttempt, metrics } = setUp({
      events: [event('ev-1'), event('ev-2')],
      webhooks: [webhook('wh-off', { active: false, rateLimit: 1 })],
    });
    await run([command('ev-1', { webhookId: 'wh-off' }), command('ev-2', { webhookId: 'wh-off' })]);
    expect(sendAttempt.execute).toHaveBeenCalledTimes(2);
    expect(metrics.endpointRateWaiting.set).not.toHaveBeenCalled();
  });

  it('abandons deliveries waiting for their rate at shutdown, without entering the lease', async () => {
    const { useCase, sendAttempt, lease } = setUp({
      events: [event('ev-1'), event('ev-2'), event('ev-3')],
      webhooks: [webhook('wh-limited', { rateLimit: 1 })],
    });
    const completions = await useCase.execute([command('ev-1'), command('ev-2'), command('ev-3')], lease);
    await sleep(20);
    useCase.stopStarting();
    const outcomes = await Promise.allSettled(completions);
    expect(outcomes.map((outcome) => outcome.status === 'rejected' && outcome.reason)).toEqual([
      false,
      expect.any(AbandonedDeliveryError),
      expect.any(AbandonedDeliveryError),
    ]);
    expect(lease.enter).toHaveBeenCalledTimes(1);
    expect(sendAttempt.execute).toHaveBeenCalledTimes(1);
  });
});
