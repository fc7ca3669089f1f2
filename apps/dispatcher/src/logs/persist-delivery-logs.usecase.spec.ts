import { DeliveryLogV1, DeliveryStatus, DeliveryTrigger } from '@app/contracts';
import {
  DeliveryAttemptRepository,
  DeliveryDocument,
  deliveryIdOf,
  DeliveryRepository,
  EventDocument,
  EventRepository,
  EventStatus,
  EventTarget,
  RetryJobRepository,
} from '@app/persistence';
import { FifoQueue } from '../fifo/fifo-queue';
import { RetryScheduler } from '../scheduler/retry-scheduler';
import { PersistDeliveryLogsUseCase } from './persist-delivery-logs.usecase';

let attemptSeq = 0;
const log = (changes: Partial<DeliveryLogV1> = {}): DeliveryLogV1 => ({
  version: 1,
  attemptId: `att-${++attemptSeq}`,
  tenantId: 't1',
  eventId: 'ev-1',
  webhookId: 'wh-a',
  url: 'https://receiver.test/hook',
  commandId: 'cmd-1',
  trigger: DeliveryTrigger.Initial,
  attemptNumber: 1,
  startedAt: '2030-01-01T00:00:00.000Z',
  durationMs: 5,
  success: true,
  statusCode: 200,
  errorKind: null,
  errorMessage: null,
  responseBodyExcerpt: '',
  scheduledFailures: 0,
  deliveryStatus: DeliveryStatus.Delivered,
  nextAttemptAt: null,
  ...changes,
});

type Outcome = { tenantId: string; jobId: string; delivered: number; failed: number };

/** The use case over in-memory stand-ins: attempts are stored by id, delivery rows take each log's status. */
function setUp(storedEvents: Pick<EventDocument, '_id' | 'tenantId' | 'targets'>[] = []) {
  const storedAttempts = new Set<string>();
  const calls: string[] = [];
  const attempts = {
    findNumbers: jest.fn(async () => new Map()),
    insertLogs: jest.fn(async (logs: DeliveryLogV1[]) => {
      calls.push('insertLogs');
      return logs.flatMap(({ attemptId }) =>
        storedAttempts.has(attemptId) ? [] : (storedAttempts.add(attemptId), [attemptId]),
      );
    }),
  };
  const deliveries = {
    findAttemptStates: jest.fn(async () => new Map()),
    applyAttempts: jest.fn(async (logs: DeliveryLogV1[]) => {
      calls.push('applyAttempts');
      return new Map(logs.map((each) => [deliveryIdOf(each.eventId, each.webhookId), each.deliveryStatus] as const));
    }),
    findByEvents: jest.fn(async (_tenantId: string): Promise<Partial<DeliveryDocument>[]> => []),
  };
  const events = {
    findTargets: jest.fn(async (ids: string[]) => storedEvents.filter(({ _id }) => ids.includes(_id))),
    setStatuses: jest.fn(async (_updates: { eventId: string; status: EventStatus; targets?: EventTarget[] }[]) => {
      calls.push('setStatuses');
    }),
  };
  const retryJobs = {
    addOutcomes: jest.fn(async (_outcomes: Outcome[]) => {
      calls.push('addOutcomes');
    }),
  };
  const scheduler = { wakeBy: jest.fn() };
  const fifo = {
    releaseAfter: jest.fn(async () => {
      calls.push('releaseAfter');
    }),
  };
  const useCase = new PersistDeliveryLogsUseCase(
    attempts as unknown as DeliveryAttemptRepository,
    deliveries as unknown as DeliveryRepository,
    events as unknown as EventRepository,
    retryJobs as unknown as RetryJobRepository,
    scheduler as unknown as RetryScheduler,
    fifo as unknown as FifoQueue,
  );
  /** Every counter increment so far, summed per job. */
  const counted = (): Record<string, { delivered: number; failed: number }> => {
    const totals: Record<string, { delivered: number; failed: number }> = {};
    for (const [outcomes] of retryJobs.addOutcomes.mock.calls) {
      for (const { tenantId, jobId, delivered, failed } of outcomes) {
        const total = (totals[`${tenantId}:${jobId}`] ??= { delivered: 0, failed: 0 });
        total.delivered += delivered;
        total.failed += failed;
      }
    }
    return totals;
  };
  return { useCase, attempts, deliveries, events, retryJobs, scheduler, fifo, calls, counted };
}

describe('PersistDeliveryLogsUseCase', () => {
  it('does nothing for an empty batch', async () => {
    const { useCase, calls } = setUp();
    await useCase.execute([]);
    expect(calls).toEqual([]);
  });

  it('stores the attempts, then the deliveries, then the events, then releases FIFO queues', async () => {
    const { useCase, calls, fifo } = setUp([{ _id: 'ev-1', tenantId: 't1', targets: [] }]);
    const logs = [log()];
    await useCase.execute(logs);
    expect(calls).toEqual(['insertLogs', 'addOutcomes', 'applyAttempts', 'setStatuses', 'releaseAfter']);
    expect(fifo.releaseAfter).toHaveBeenCalledWith(logs);
  });

  describe('event status roll-up from the targets the event holds', () => {
    const { Pending, Retrying, Delivered, Failed } = DeliveryStatus;
    it.each([
      ['one target delivered, one still pending', [Delivered], EventStatus.Delivering],
      ['one delivered, one retrying', [Delivered, Retrying], EventStatus.Delivering],
      ['both delivered', [Delivered, Delivered], EventStatus.Delivered],
      ['both failed', [Failed, Failed], EventStatus.Failed],
      ['one delivered, one failed', [Delivered, Failed], EventStatus.PartiallyDelivered],
    ])('%s', async (_story, moved: DeliveryStatus[], expected: EventStatus) => {
      const targets = [
        { webhookId: 'wh-a', status: Pending },
        { webhookId: 'wh-b', status: Pending },
      ];
      const { useCase, events } = setUp([{ _id: 'ev-1', tenantId: 't1', targets }]);
      await useCase.execute(
        moved.map((status, index) => log({ webhookId: index === 0 ? 'wh-a' : 'wh-b', deliveryStatus: status })),
      );
      expect(events.setStatuses).toHaveBeenCalledWith([
        {
          eventId: 'ev-1',
          status: expected,
          targets: [
            { webhookId: 'wh-a', status: moved[0] },
            { webhookId: 'wh-b', status: moved[1] ?? Pending },
          ],
        },
      ]);
    });
  });

  it('writes no event none of whose targets moved (a replayed or repeated outcome)', async () => {
    const targets = [
      { webhookId: 'wh-a', status: DeliveryStatus.Delivered },
      { webhookId: 'wh-b', status: DeliveryStatus.Pending },
    ];
    const { useCase, events } = setUp([{ _id: 'ev-1', tenantId: 't1', targets }]);
    await useCase.execute([log({ webhookId: 'wh-a', deliveryStatus: DeliveryStatus.Delivered })]);
    expect(events.setStatuses).toHaveBeenCalledWith([]);
  });

  it('adds a webhook that joins an event later to its targets', async () => {
    const targets = [{ webhookId: 'wh-a', status: DeliveryStatus.Delivered }];
    const { useCase, events } = setUp([{ _id: 'ev-1', tenantId: 't1', targets }]);
    await useCase.execute([log({ webhookId: 'wh-new', success: false, deliveryStatus: DeliveryStatus.Failed })]);
    expect(events.setStatuses).toHaveBeenCalledWith([
      {
        eventId: 'ev-1',
        status: EventStatus.PartiallyDelivered,
        targets: [
          { webhookId: 'wh-a', status: DeliveryStatus.Delivered },
          { webhookId: 'wh-new', status: DeliveryStatus.Failed },
        ],
      },
    ]);
  });

  it('rolls up an event stored without targets from its delivery rows, per tenant', async () => {
    const { useCase, deliveries, events } = setUp([
      { _id: 'ev-1', tenantId: 't1' },
      { _id: 'ev-2', tenantId: 't2' },
    ]);
    deliveries.findByEvents.mockImplementation(async (tenantId: string) =>
      tenantId === 't1'
        ? [
            { eventId: 'ev-1', status: DeliveryStatus.Delivered },
            { eventId: 'ev-1', status: DeliveryStatus.Retrying },
          ]
        : [{ eventId: 'ev-2', status: DeliveryStatus.Failed }],
    );
    await useCase.execute([log(), log({ tenantId: 't2', eventId: 'ev-2', deliveryStatus: DeliveryStatus.Failed })]);
    expect(deliveries.findByEvents).toHaveBeenCalledWith('t1', ['ev-1']);
    expect(deliveries.findByEvents).toHaveBeenCalledWith('t2', ['ev-2']);
    expect(events.setStatuses).toHaveBeenCalledWith([
      { eventId: 'ev-1', status: EventStatus.Delivering },
      { eventId: 'ev-2', status: EventStatus.Failed },
    ]);
  });

  it('leaves an event alone when no delivery row took its log (another tenant named it)', async () => {
    const { useCase, deliveries, events } = setUp([{ _id: 'ev-1', tenantId: 't1', targets: [] }]);
    deliveries.applyAttempts.mockResolvedValue(new Map());
    await useCase.execute([log()]);
    expect(events.findTargets).toHaveBeenCalledWith([]);
    expect(events.setStatuses).toHaveBeenCalledWith([]);
  });

  describe('bulk-retry job counters', () => {
    const jobLog = (changes: Partial<DeliveryLogV1> = {}) =>
      log({ trigger: DeliveryTrigger.Manual, retryJobId: 'job-1', ...changes });

    it('counts each new attempt of a job once, per tenant and job, and ignores attempts of no job', async () => {
      const { useCase, counted } = setUp();
      await useCase.execute([
        jobLog(),
        jobLog({ success: false, statusCode: 500 }),
        jobLog({ retryJobId: 'job-2' }),
        jobLog({ tenantId: 't2' }),
        log(),
      ]);
      expect(counted()).toEqual({
        't1:job-1': { delivered: 1, failed: 1 },
        't1:job-2': { delivered: 1, failed: 0 },
        't2:job-1': { delivered: 1, failed: 0 },
      });
    });

    it('counts nothing again when the whole batch is replayed', async () => {
      const { useCase, counted } = setUp();
      const batch = [jobLog(), jobLog({ success: false })];
      await useCase.execute(batch);
      await useCase.execute(batch);
      expect(counted()).toEqual({ 't1:job-1': { delivered: 1, failed: 1 } });
    });

    it('counts the new attempts of a partly replayed batch', async () => {
      const { useCase, counted } = setUp();
      const first = [jobLog(), jobLog()];
      await useCase.execute(first);
      // Kafka hands the stored attempts back together with new ones (a rebalance mid-batch).
      await useCase.execute([...first, jobLog(), jobLog({ success: false })]);
      expect(counted()).toEqual({ 't1:job-1': { delivered: 3, failed: 1 } });
    });

    it('counts a log read twice within one batch once', async () => {
      const { useCase, counted } = setUp();
      const twice = jobLog();
      await useCase.execute([twice, { ...twice }]);
      expect(counted()).toEqual({ 't1:job-1': { delivered: 1, failed: 0 } });
    });

    it('keeps the counts when a later step fails and the batch is persisted again', async () => {
      const { useCase, deliveries, counted } = setUp();
      deliveries.applyAttempts.mockRejectedValueOnce(new Error('database away'));
      const batch = [jobLog(), jobLog()];
      await expect(useCase.execute(batch)).rejects.toThrow('database away');
      await useCase.execute(batch);
      expect(counted()).toEqual({ 't1:job-1': { delivered: 2, failed: 0 } });
    });
  });

  describe('scheduler wake-up', () => {
    it('wakes the scheduler by the earliest retry the batch scheduled', async () => {
      const { useCase, scheduler } = setUp();
      await useCase.execute([
        log({ deliveryStatus: DeliveryStatus.Retrying, nextAttemptAt: '2030-01-01T00:05:00.000Z' }),
        log({ deliveryStatus: DeliveryStatus.Retrying, nextAttemptAt: '2030-01-01T00:01:00.000Z' }),
        log({ nextAttemptAt: null }),
      ]);
      expect(scheduler.wakeBy).toHaveBeenCalledTimes(1);
      expect(scheduler.wakeBy).toHaveBeenCalledWith(new Date('2030-01-01T00:01:00.000Z'));
    });

    it('leaves the scheduler alone when nothing was scheduled', async () => {
      const { useCase, scheduler } = setUp();
      const manual = log({ trigger: DeliveryTrigger.Manual, success: false });
      delete manual.nextAttemptAt; // a manual failure leaves the schedule as it was
      await useCase.execute([log(), manual]);
      expect(scheduler.wakeBy).not.toHaveBeenCalled();
    });
  });
});
