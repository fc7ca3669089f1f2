import { Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import {
  attemptIdOf,
  DeliveryCommandV1,
  DeliveryStatus,
  DeliveryTrigger,
  KafkaTopic,
  TopicContract,
} from '@app/contracts';
import { DeliveryCommandPublisher, KafkaProducer } from '@app/kafka';
import {
  DeliveryDocument,
  DeliveryRepository,
  DeliveryAttemptRepository,
  DueRetries,
  pendingDeliveryRow,
} from '@app/persistence';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import {
  RetryScheduler,
  SCHEDULER_BATCH,
  SCHEDULER_MAX_SLEEP_MS,
  SCHEDULER_RETRY_AFTER_FAILURE_MS,
} from './retry-scheduler';

const start = new Date('2030-01-01T00:00:00.000Z');
const STRANDED_AFTER_MS = 600_000;

const row = (eventId: string, changes: Partial<DeliveryDocument> = {}): DeliveryDocument => ({
  ...pendingDeliveryRow({ tenantId: 't1', eventId, webhookId: 'wh-1', url: 'https://receiver.test/' }, start),
  ...changes,
});
const due = (taken: DeliveryDocument[], changes: Partial<DueRetries> = {}): DueRetries => ({
  taken,
  nextDueAt: null,
  stillScheduled: 0,
  ...changes,
});

describe('RetryScheduler', () => {
  let deliveries: {
    takeDue: jest.Mock<Promise<DueRetries>, [Date, number]>;
    restoreDue: jest.Mock<Promise<void>, [DeliveryDocument[]]>;
    takeStranded: jest.Mock<Promise<DeliveryDocument[]>, [Date, Date, number]>;
    countScheduled: jest.Mock<Promise<number>, []>;
  };
  /** Ids of the attempts dispatchers stored. */
  let made: Set<string>;
  let sendAll: jest.Mock<Promise<void>, [{ topic: string; key: string; value: string }[]]>;
  let gauge: jest.Mock;
  let scheduler: RetryScheduler;

  /** The commands published so far, in order. */
  const published = () => sendAll.mock.calls.flatMap(([messages]) => messages);
  const commands = () => published().map(({ value }) => JSON.parse(value) as DeliveryCommandV1);
  const boot = async () => {
    scheduler.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: start });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    deliveries = {
      takeDue: jest.fn<Promise<DueRetries>, [Date, number]>(async () => due([])),
      restoreDue: jest.fn<Promise<void>, [DeliveryDocument[]]>(async () => undefined),
      takeStranded: jest.fn<Promise<DeliveryDocument[]>, [Date, Date, number]>(async () => []),
      countScheduled: jest.fn<Promise<number>, []>(async () => 0),
    };
    sendAll = jest.fn<Promise<void>, [{ topic: string; key: string; value: string }[]]>(async () => undefined);
    gauge = jest.fn();
    made = new Set();
    scheduler = new RetryScheduler(
      deliveries as unknown as DeliveryRepository,
      {
        findByIds: async (ids: string[]) => ids.filter((id) => made.has(id)).map((_id) => ({ _id })),
      } as unknown as DeliveryAttemptRepository,
      // The real publisher, over a producer that records what it would send (the rows' ids are not UUIDs).
      new DeliveryCommandPublisher({
        publish: <T>(contract: TopicContract<T>, values: T[]) =>
          sendAll(
            values.map((value) => ({
              topic: contract.topic,
              key: contract.keyOf(value),
              value: contract.serialize(value),
            })),
          ),
      } as unknown as KafkaProducer),
      { scheduledRetries: { set: gauge } } as unknown as DispatcherMetrics,
      { durationMs: () => STRANDED_AFTER_MS } as unknown as AppConfig,
    );
  });

  afterEach(() => {
    scheduler.onApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('the command published for a due delivery', () => {
    it.each<[string, Partial<DeliveryDocument>, string, DeliveryTrigger]>([
      ['never attempted: its initial command', {}, 'initial:ev-1:wh-1', DeliveryTrigger.Initial],
      [
        'retrying: the retry of its step in the schedule',
        { status: DeliveryStatus.Retrying, attempts: 3, scheduledFailures: 2 },
        'retry:ev-1:wh-1:2',
        DeliveryTrigger.Automatic,
      ],
      [
        // Manual attempts leave a delivery pending: its initial attempt is still to be made.
        'pending after a manual attempt: its initial command',
        { attempts: 1 },
        'initial:ev-1:wh-1',
        DeliveryTrigger.Initial,
      ],
    ])('%s', async (_case, state, commandId, trigger) => {
      deliveries.takeDue.mockResolvedValueOnce(due([row('ev-1', state)]));
      await boot();
      expect(published()).toEqual([{ topic: KafkaTopic.DeliveryCommands, key: 'ev-1', value: expect.any(String) }]);
      expect(commands()).toEqual([
        {
          version: 1,
          commandId,
          eventId: 'ev-1',
          webhookId: 'wh-1',
          trigger,
          requestedBy: 'retry-scheduler',
          requestedAt: start.toISOString(),
        },
      ]);
    });
  });

  it('publishes the due retries it took, all in one send', async () => {
    deliveries.takeDue.mockResolvedValueOnce(due([row('ev-1'), row('ev-2')]));
    await boot();
    expect(deliveries.takeDue).toHaveBeenCalledWith(start, SCHEDULER_BATCH);
    expect(sendAll).toHaveBeenCalledTimes(1);
    expect(published().map(({ key }) => key)).toEqual(['ev-1', 'ev-2']);
  });

  it('takes again at once after a full batch', async () => {
    const full = Array.from({ length: SCHEDULER_BATCH }, (_, index) => row(`ev-${index}`));
    deliveries.takeDue.mockResolvedValueOnce(due(full)).mockResolvedValueOnce(due([row('ev-last')]));
    await boot();
    expect(deliveries.takeDue).toHaveBeenCalledTimes(2);
    expect(published()).toHaveLength(SCHEDULER_BATCH + 1);
  });

  it('sleeps until the next retry is due', async () => {
    deliveries.takeDue.mockResolvedValueOnce(due([], { nextDueAt: new Date(start.getTime() + 20_000) }));
    await boot();
    await jest.advanceTimersByTimeAsync(19_999);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(2);
  });

  it('sleeps at most SCHEDULER_MAX_SLEEP_MS, since another dispatcher may schedule an earlier retry', async () => {
    deliveries.takeDue.mockResolvedValueOnce(due([], { nextDueAt: new Date(start.getTime() + 3_600_000) }));
    await boot();
    await jest.advanceTimersByTimeAsync(SCHEDULER_MAX_SLEEP_MS - 1);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(2);
  });

  it('gives the rows their due time back when the publish fails, and tries again soon', async () => {
    const taken = [row('ev-1', { status: DeliveryStatus.Retrying, attempts: 1, scheduledFailures: 1 })];
    deliveries.takeDue.mockResolvedValueOnce(due(taken));
    sendAll.mockRejectedValueOnce(new Error('broker away'));
    await boot();
    expect(deliveries.restoreDue).toHaveBeenCalledWith(taken);
    await jest.advanceTimersByTimeAsync(SCHEDULER_RETRY_AFTER_FAILURE_MS - 1);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(2);
  });

  it('carries on when giving the due time back fails too (the stranded sweep re-drives those rows)', async () => {
    deliveries.takeDue.mockResolvedValueOnce(due([row('ev-1')]));
    sendAll.mockRejectedValueOnce(new Error('broker away'));
    deliveries.restoreDue.mockRejectedValueOnce(new Error('database away'));
    await boot();
    await jest.advanceTimersByTimeAsync(SCHEDULER_RETRY_AFTER_FAILURE_MS);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(2);
  });

  it('tries again soon after the read fails', async () => {
    deliveries.takeDue.mockRejectedValueOnce(new Error('database away'));
    await boot();
    await jest.advanceTimersByTimeAsync(SCHEDULER_RETRY_AFTER_FAILURE_MS);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(2);
  });

  it('wakes early for a retry due before its next look', async () => {
    await boot();
    scheduler.wakeBy(new Date(start.getTime() + 2_000));
    await jest.advanceTimersByTimeAsync(2_000);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(2);
  });

  it('does not put its next look off for a retry due after it', async () => {
    await boot();
    scheduler.wakeBy(new Date(start.getTime() + SCHEDULER_MAX_SLEEP_MS + 30_000));
    await jest.advanceTimersByTimeAsync(SCHEDULER_MAX_SLEEP_MS);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(2);
  });

  it('runs another round right after one that a wake-up came in during', async () => {
    let finishRound!: (value: DueRetries) => void;
    deliveries.takeDue.mockImplementationOnce(() => new Promise((resolve) => (finishRound = resolve)));
    scheduler.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    scheduler.wakeBy(start); // the round's read may have missed this one
    finishRound(due([]));
    await jest.advanceTimersByTimeAsync(0);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(2);
  });

  it('sets the scheduled-retries gauge from the read, or counts at most once a minute when it could not tell', async () => {
    deliveries.takeDue.mockResolvedValue(due([], { stillScheduled: null }));
    deliveries.countScheduled.mockResolvedValue(7);
    deliveries.takeDue.mockResolvedValueOnce(due([], { stillScheduled: 3 }));
    await boot();
    expect(gauge).toHaveBeenLastCalledWith(3);
    expect(deliveries.countScheduled).not.toHaveBeenCalled();

    scheduler.wakeBy(start);
    await jest.advanceTimersByTimeAsync(0);
    expect(gauge).toHaveBeenLastCalledWith(7);
    scheduler.wakeBy(start);
    await jest.advanceTimersByTimeAsync(0);
    expect(deliveries.countScheduled).toHaveBeenCalledTimes(1);
  });

  it('stops looking after shutdown', async () => {
    await boot();
    scheduler.onApplicationShutdown();
    scheduler.wakeBy(start);
    await jest.advanceTimersByTimeAsync(SCHEDULER_MAX_SLEEP_MS * 2);
    expect(deliveries.takeDue).toHaveBeenCalledTimes(1);
  });

  describe('stranded sweep', () => {
    it('publishes again the commands of deliveries idle with nothing scheduled, at start and every half of the idle time', async () => {
      const stranded = [
        row('ev-1'),
        row('ev-2', { status: DeliveryStatus.Retrying, attempts: 2, scheduledFailures: 2 }),
      ];
      deliveries.takeStranded.mockResolvedValueOnce(stranded);
      await boot();
      expect(deliveries.takeStranded).toHaveBeenCalledWith(new Date(start.getTime() - STRANDED_AFTER_MS), start, 100);
      expect(commands().map(({ commandId }) => commandId)).toEqual(['initial:ev-1:wh-1', 'retry:ev-2:wh-1:2']);

      await jest.advanceTimersByTimeAsync(STRANDED_AFTER_MS / 2);
      expect(deliveries.takeStranded).toHaveBeenCalledTimes(2);
    });

    it('leaves alone a delivery whose command a dispatcher already attempted: the log writer is only behind', async () => {
      made.add(attemptIdOf('initial:ev-1:wh-1', 'wh-1'));
      deliveries.takeStranded.mockResolvedValueOnce([row('ev-1'), row('ev-2')]);
      await boot();
      expect(commands().map(({ commandId }) => commandId)).toEqual(['initial:ev-2:wh-1']);
    });

    it('shrugs off a failed sweep and sweeps again next time', async () => {
      deliveries.takeStranded.mockResolvedValueOnce([row('ev-1')]);
      sendAll.mockRejectedValueOnce(new Error('broker away'));
      await boot();
      deliveries.takeStranded.mockResolvedValueOnce([row('ev-2')]);
      await jest.advanceTimersByTimeAsync(STRANDED_AFTER_MS / 2);
      expect(commands().map(({ eventId }) => eventId)).toEqual(['ev-1', 'ev-2']);
      // Nothing to give back: the sweep took no due time, and ev-1 comes round after another idle spell.
      expect(deliveries.restoreDue).not.toHaveBeenCalled();
    });
  });
});
