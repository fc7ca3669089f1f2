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
} from '@app/persistence';
import { FifoQueue } from '../fifo/fifo-queue';
import { RetryScheduler } from '../retry-schedule/retry-scheduler';
import { PersistDeliveryLogsUseCase } from './persist-delivery-logs.usecase';
import { deliveryLog } from '../../../../test/support/delivery-log';

let attemptSeq = 0;
/** A delivery log with fixed ids the tests name (see test/support/delivery-log for the fields). */
const log = (changes: Partial<DeliveryLogV1> = {}): DeliveryLogV1 =>
  deliveryLog({
    attemptId: `att-${++attemptSeq}`,
    tenantId: 't1',
    eventId: 'ev-1',
    webhookId: 'wh-a',
    url: 'https://receiver.test/hook',
    commandId: 'cmd-1',
    trigger: DeliveryTrigger.Initial,
    startedAt: '2030-01-01T00:00:00.000Z',
    durationMs: 5,
    stored: true,
    ...changes,
  });

/** The use case over in-memory stand-ins: delivery rows take each log's status. */
function setUp(storedEvents: Pick<EventDocument, '_id' | 'tenantId' | 'targets'>[] = []) {
  const storedAttempts = new Set<string>();
  const calls: string[] = [];
  const attempts = {
    insertLogs: jest.fn(async (logs: DeliveryLogV1[]) => {
      calls.push('insertLogs');
      return logs.flatMap(({ attemptId }) =>
        storedAttempts.has(attemptId) ? [] : (storedAttempts.add(attemptId), [attemptId]),
      );
    }),
    renumber: jest.fn(async (_numbers: { attemptId: string; attemptNumber: number }[]) => {
      calls.push('renumber');
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
    // As the repository's conditional writes: only an event whose one target is this webhook, in another state.
    setSingleTargetStatuses: jest.fn(
      async (moves: { eventId: string; webhookId: string; status: DeliveryStatus }[]) => {
        calls.push('setSingleTargetStatuses');
        let applied = 0;
        for (const { eventId, webhookId, status } of moves) {
          const event = storedEvents.find(({ _id }) => _id === eventId);
          const [only, ...others] = event?.targets ?? [];
          if (!event || !only || others.length > 0 || only.webhookId !== webhookId || only.status === status) continue;
          event.targets = [{ webhookId, status }];
          applied += 1;
        }
        return applied === moves.length;
      },
    ),
    findTargets: jest.fn(async (ids: string[]) => storedEvents.filter(({ _id }) => ids.includes(_id))),
    setStatuses: jest.fn(async (_updates: { eventId: string; status: EventStatus; targets?: EventTarget[] }[]) => {
      calls.push('setStatuses');
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
    scheduler as unknown as RetryScheduler,
    fifo as unknown as FifoQueue,
  );
  return { useCase, attempts, deliveries, events, scheduler, fifo, calls };
}

describe('PersistDeliveryLogsUseCase', () => {
  it('does nothing for an empty batch', async () => {
    const { useCase, calls } = setUp();
    await useCase.execute([]);
    expect(calls).toEqual([]);
  });

  it('numbers the attempts, then stores the deliveries, then the events, then releases FIFO queues', async () => {
    const { useCase, calls, fifo, attempts } = setUp([{ _id: 'ev-1', tenantId: 't1', targets: [] }]);
    const logs = [log()];
    await useCase.execute(logs);
    expect(calls).toEqual(['renumber', 'applyAttempts', 'setSingleTargetStatuses', 'setStatuses', 'releaseAfter']);
    expect(attempts.insertLogs).not.toHaveBeenCalled();
    expect(fifo.releaseAfter).toHaveBeenCalledWith(logs);
  });

  it('stores first the attempts of a dispatcher that left that to the log writer (an earlier release)', async () => {
    const { useCase, calls, attempts } = setUp([{ _id: 'ev-1', tenantId: 't1', targets: [] }]);
    const legacy = log({ stored: undefined });
    await useCase.execute([legacy, log()]);
    expect(attempts.insertLogs).toHaveBeenCalledWith([legacy]);
    expect(calls[0]).toBe('insertLogs');
  });

  it('renumbers an attempt whose dispatcher guessed a number already taken', async () => {
    const { useCase, attempts, deliveries } = setUp();
    const first = log({ startedAt: '2030-01-01T00:00:00.000Z', attemptNumber: 1 });
    const second = log({ startedAt: '2030-01-01T00:00:01.000Z', attemptNumber: 1, trigger: DeliveryTrigger.Manual });
    await useCase.execute([second, first]);
    expect(attempts.renumber).toHaveBeenCalledWith([{ attemptId: second.attemptId, attemptNumber: 2 }]);
    const [numbered, , counts] = deliveries.applyAttempts.mock.calls[0] as unknown as [
      DeliveryLogV1[],
      unknown,
      Map<string, { attempts: number }>,
    ];
    expect(numbered.map(({ attemptNumber }) => attemptNumber)).toEqual([2, 1]);
    expect(counts.get(deliveryIdOf('ev-1', 'wh-a'))?.attempts).toBe(2);
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
    expect(events.findTargets).not.toHaveBeenCalled();
    expect(events.setStatuses).not.toHaveBeenCalled();
  });

  it('rolls up events with one target by conditional writes alone, without reading them', async () => {
    const { useCase, events } = setUp([
      { _id: 'ev-1', tenantId: 't1', targets: [{ webhookId: 'wh-a', status: DeliveryStatus.Pending }] },
      { _id: 'ev-2', tenantId: 't1', targets: [{ webhookId: 'wh-b', status: DeliveryStatus.Retrying }] },
    ]);
    await useCase.execute([
      log(),
      log({ eventId: 'ev-2', webhookId: 'wh-b', success: false, deliveryStatus: DeliveryStatus.Failed }),
    ]);
    expect(events.setSingleTargetStatuses).toHaveBeenCalledWith([
      { eventId: 'ev-1', webhookId: 'wh-a', status: DeliveryStatus.Delivered },
      { eventId: 'ev-2', webhookId: 'wh-b', status: DeliveryStatus.Failed },
    ]);
    expect(events.findTargets).not.toHaveBeenCalled();
    expect(events.setStatuses).not.toHaveBeenCalled();
  });

  it('reads and rolls up the events again when a conditional write did not apply, writing only what is not current', async () => {
    const { useCase, events } = setUp([
      { _id: 'ev-1', tenantId: 't1', targets: [{ webhookId: 'wh-a', status: DeliveryStatus.Pending }] },
      {
        _id: 'ev-2',
        tenantId: 't1',
        targets: [
          { webhookId: 'wh-b', status: DeliveryStatus.Pending },
          { webhookId: 'wh-c', status: DeliveryStatus.Delivered },
        ],
      },
    ]);
    await useCase.execute([log(), log({ eventId: 'ev-2', webhookId: 'wh-b' })]);
    expect(events.findTargets).toHaveBeenCalledWith(['ev-1', 'ev-2']);
    expect(events.setStatuses).toHaveBeenCalledWith([
      {
        eventId: 'ev-2',
        status: EventStatus.Delivered,
        targets: [
          { webhookId: 'wh-b', status: DeliveryStatus.Delivered },
          { webhookId: 'wh-c', status: DeliveryStatus.Delivered },
        ],
      },
    ]);
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
