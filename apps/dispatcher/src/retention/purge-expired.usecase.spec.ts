import { DeliveryStatus } from '@app/contracts';
import {
  AgedCollection,
  DeliveryActivity,
  ExpiredEvent,
  RetainedCollection,
  RetentionRepository,
} from '@app/persistence';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { keepsEvent, PurgeExpiredUseCase } from './purge-expired.usecase';
import { RetentionPolicy } from './retention-policy';

const DAY = 86_400_000;
const NOW = new Date('2025-06-30T12:00:00Z');
const CUTOFF = new Date(NOW.getTime() - 30 * DAY);
const ago = (ms: number) => new Date(NOW.getTime() - ms);

/** An in-memory stand-in for the repository, answering its queries the way the indexes do. */
class FakeRetention {
  events: ExpiredEvent[] = [];
  deliveries: DeliveryActivity[] = [];
  aged: Record<AgedCollection, { _id: string; createdAt: Date }[]> = {
    [RetainedCollection.Attempts]: [],
    [RetainedCollection.RetryJobs]: [],
    [RetainedCollection.Tasks]: [],
    [RetainedCollection.RateLimitWindows]: [],
  };
  readonly cutoffs = new Map<string, Date>();
  queries = 0;

  async findEventsCreatedBefore(cutoff: Date, after: ExpiredEvent | null, limit: number) {
    this.queries++;
    this.cutoffs.set(RetainedCollection.Events, cutoff);
    return this.events
      .filter((event) => event.createdAt < cutoff && (!after || byAge(event, after) > 0))
      .sort(byAge)
      .slice(0, limit);
  }

  async findDeliveriesOf(events: ExpiredEvent[]) {
    const ids = new Set(events.map(({ _id }) => _id));
    return this.deliveries.filter(({ eventId }) => ids.has(eventId));
  }

  async deleteDeliveriesOf(events: ExpiredEvent[]) {
    const ids = new Set(events.map(({ _id }) => _id));
    const before = this.deliveries.length;
    this.deliveries = this.deliveries.filter(({ eventId }) => !ids.has(eventId));
    return before - this.deliveries.length;
  }

  async deleteEvents(ids: string[]) {
    const before = this.events.length;
    this.events = this.events.filter(({ _id }) => !ids.includes(_id));
    return before - this.events.length;
  }

  async findCreatedBefore(collection: AgedCollection, cutoff: Date, _now: Date, limit: number) {
    this.queries++;
    this.cutoffs.set(collection, cutoff);
    return this.aged[collection]
      .filter(({ createdAt }) => createdAt < cutoff)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map(({ _id }) => _id);
  }

  async deleteByIds(collection: AgedCollection, ids: string[]) {
    const before = this.aged[collection].length;
    this.aged[collection] = this.aged[collection].filter(({ _id }) => !ids.includes(_id));
    return before - this.aged[collection].length;
  }
}

const byAge = (a: ExpiredEvent, b: ExpiredEvent) =>
  a.createdAt.getTime() - b.createdAt.getTime() || a._id.localeCompare(b._id);

const event = (id: string, age: number): ExpiredEvent => ({ _id: id, tenantId: 't', createdAt: ago(age) });
const delivery = (eventId: string, changes: Partial<DeliveryActivity> = {}): DeliveryActivity => ({
  _id: `${eventId}:wh`,
  eventId,
  status: DeliveryStatus.Delivered,
  createdAt: ago(40 * DAY),
  lastAttemptAt: ago(40 * DAY),
  nextAttemptAt: null,
  ...changes,
});
const documents = (prefix: string, ages: number[]) =>
  ages.map((age, i) => ({ _id: `${prefix}${i}`, createdAt: ago(age) }));

function setUp(policy: Partial<RetentionPolicy> = {}) {
  const repository = new FakeRetention();
  const inc = jest.fn();
  const useCase = new PurgeExpiredUseCase(
    repository as unknown as RetentionRepository,
    { retentionDeleted: { inc } } as unknown as DispatcherMetrics,
    {
      eventsMs: 30 * DAY,
      attemptsMs: 30 * DAY,
      retryJobsMs: 30 * DAY,
      tasksMs: 7 * DAY,
      roundSize: 2,
      roundPauseMs: 0,
      ...policy,
    } as RetentionPolicy,
  );
  return { repository, inc, useCase };
}

describe('keepsEvent', () => {
  const cases: [string, Partial<DeliveryActivity>, boolean][] = [
    ['delivered long ago', {}, false],
    ['failed for good long ago', { status: DeliveryStatus.Failed }, false],
    ['delivered yesterday (settled)', { lastAttemptAt: ago(DAY) }, false],
    ['retrying, attempted yesterday', { status: DeliveryStatus.Retrying, lastAttemptAt: ago(DAY) }, true],
    ['retry scheduled for tomorrow', { status: DeliveryStatus.Retrying, nextAttemptAt: ago(-DAY) }, true],
    ['pending, planned yesterday by a retry', { status: DeliveryStatus.Pending, createdAt: ago(DAY) }, true],
    [
      'pending, never attempted since before the cutoff',
      { status: DeliveryStatus.Pending, lastAttemptAt: null },
      false,
    ],
    ['retrying, idle since before the cutoff', { status: DeliveryStatus.Retrying }, false],
    ['retrying, last attempt exactly at the cutoff', { status: DeliveryStatus.Retrying, lastAttemptAt: CUTOFF }, true],
  ];
  it.each(cases)('%s', (_, changes, expected) => {
    expect(keepsEvent(delivery('e', changes), CUTOFF)).toBe(expected);
  });
});

describe('PurgeExpiredUseCase', () => {
  it("deletes what is older than its collection's cutoff, in full rounds until one is not", async () => {
    const { repository, inc, useCase } = setUp();
    repository.aged[RetainedCollection.Attempts] = documents('a', [
      45 * DAY,
      31 * DAY,
      30 * DAY + 1,
      30 * DAY - 1,
      DAY,
    ]);
    repository.aged[RetainedCollection.RetryJobs] = documents('j', [29 * DAY]);
    repository.aged[RetainedCollection.Tasks] = documents('t', [8 * DAY, 7 * DAY + 1, 6 * DAY]);

    const counts = await useCase.execute({ now: NOW });

    expect(counts).toEqual({
      [RetainedCollection.Events]: 0,
      [RetainedCollection.Deliveries]: 0,
      [RetainedCollection.Attempts]: 3,
      [RetainedCollection.RetryJobs]: 0,
      [RetainedCollection.Tasks]: 2,
      [RetainedCollection.RateLimitWindows]: 0,
    });
    expect(repository.aged[RetainedCollection.Attempts].map(({ _id }) => _id)).toEqual(['a3', 'a4']);
    expect(repository.aged[RetainedCollection.Tasks].map(({ _id }) => _id)).toEqual(['t2']);
    expect(repository.cutoffs.get(RetainedCollection.Tasks)).toEqual(ago(7 * DAY));
    expect(inc).toHaveBeenCalledWith({ collection: RetainedCollection.Attempts }, 2);
    expect(inc).toHaveBeenCalledWith({ collection: RetainedCollection.Attempts }, 1);
    expect(inc).not.toHaveBeenCalledWith({ collection: RetainedCollection.RetryJobs }, expect.anything());
  });

  it("deletes the API's rate-limit windows once they are an hour old", async () => {
    const HOUR = 3_600_000;
    const { repository, useCase } = setUp({ eventsMs: 0, attemptsMs: 0, retryJobsMs: 0, rateLimitWindowsMs: HOUR });
    repository.aged[RetainedCollection.RateLimitWindows] = documents('w', [2 * HOUR, HOUR + 1, HOUR - 1]);

    const counts = await useCase.execute({ now: NOW });

    expect(counts[RetainedCollection.RateLimitWindows]).toBe(2);
    expect(repository.aged[RetainedCollection.RateLimitWindows].map(({ _id }) => _id)).toEqual(['w2']);
  });

  it('keeps collections whose retention is 0 forever, without querying them', async () => {
    const { repository, useCase } = setUp({ eventsMs: 0, attemptsMs: 0, retryJobsMs: 0 });
    repository.events = [event('e0', 400 * DAY)];
    repository.aged[RetainedCollection.Attempts] = documents('a', [400 * DAY]);

    await useCase.execute({ now: NOW });

    expect(repository.events).toHaveLength(1);
    expect(repository.aged[RetainedCollection.Attempts]).toHaveLength(1);
    expect([...repository.cutoffs.keys()]).toEqual([RetainedCollection.Tasks]);
  });

  it('deletes expired events with their deliveries, and steps over those a delivery keeps', async () => {
    const { repository, useCase } = setUp({ attemptsMs: 0, retryJobsMs: 0 });
    // Oldest first: two kept events ahead of expired ones must not stop the walk (round size 2).
    repository.events = [
      event('e0', 60 * DAY),
      event('e1', 59 * DAY),
      event('e2', 58 * DAY),
      event('e3', 31 * DAY),
      event('e4', 29 * DAY),
    ];
    repository.deliveries = [
      delivery('e0', { status: DeliveryStatus.Retrying, nextAttemptAt: ago(-DAY) }),
      delivery('e1', { _id: 'e1:new', status: DeliveryStatus.Pending, createdAt: ago(DAY), lastAttemptAt: null }),
      delivery('e1'),
      delivery('e2'),
      delivery('e2', { _id: 'e2:other', status: DeliveryStatus.Failed }),
      delivery('e3', { status: DeliveryStatus.Retrying }),
      delivery('e4', { createdAt: ago(29 * DAY) }),
    ];

    const counts = await useCase.execute({ now: NOW });

    expect(repository.events.map(({ _id }) => _id)).toEqual(['e0', 'e1', 'e4']);
    expect(repository.deliveries.map(({ _id }) => _id)).toEqual(['e0:wh', 'e1:new', 'e1:wh', 'e4:wh']);
    expect(counts[RetainedCollection.Events]).toBe(2);
    expect(counts[RetainedCollection.Deliveries]).toBe(3);
  });

  it('stops after the round under way when the signal is aborted', async () => {
    const { repository, useCase } = setUp({ eventsMs: 0, retryJobsMs: 0, tasksMs: 0, roundPauseMs: 60_000 });
    repository.aged[RetainedCollection.Attempts] = documents('a', [40 * DAY, 40 * DAY, 40 * DAY, 40 * DAY, 40 * DAY]);
    const stop = new AbortController();

    const pass = useCase.execute({ now: NOW, signal: stop.signal });
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort();
    const counts = await pass;

    expect(counts[RetainedCollection.Attempts]).toBe(2);
    expect(repository.queries).toBe(1);
  });
});
