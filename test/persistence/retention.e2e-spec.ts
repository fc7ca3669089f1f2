import { randomUUID } from 'node:crypto';
import { DeliveryStatus } from '@app/contracts';
import { AppConfig, parseDuration, validateEnvironment } from '@app/config';
import {
  DELIVERY_ATTEMPT_MODEL,
  DELIVERY_TASK_MODEL,
  DeliveryDocument,
  DeliveryTaskDocument,
  DeliveryTaskState,
  EVENT_MODEL,
  EventDocument,
  pendingDeliveryRow,
  pendingEvent,
  RATE_LIMIT_WINDOW_MODEL,
  RateLimitWindowDocument,
  rateLimitWindowId,
  RateLimitWindowRepository,
  RETRY_JOB_MODEL,
  RetainedCollection,
  RetentionRepository,
  RetryJobDocument,
  RetryJobStatus,
} from '@app/persistence';
import { DispatcherMetrics } from '../../apps/dispatcher/src/metrics/dispatcher-metrics';
import { PurgeExpiredUseCase } from '../../apps/dispatcher/src/retention/purge-expired.usecase';
import { RetentionPolicy } from '../../apps/dispatcher/src/retention/retention-policy';
import { testDbEngine } from '../support/infra';
import { TestDatabase } from '../support/test-database';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The retention purge against the real test database, with the shortest retention the config accepts
 * (1h): exactly what is older than its collection's cutoff goes, documents just inside it stay, and an
 * old event stays while one of its deliveries may still be attempted. Delivery claims keep their fixed
 * 7 days, the API's rate-limit windows their fixed hour. Two dispatchers purging at once delete each document once.
 */
describe(`Retention purge (${testDbEngine()})`, () => {
  let db: TestDatabase;
  let retention: RetentionRepository;
  let metrics: DispatcherMetrics;
  let policy: RetentionPolicy;
  const tenantId = `tenant-${randomUUID()}`;
  const now = Date.now();
  const at = (age: number) => new Date(now - age);

  beforeAll(async () => {
    db = await TestDatabase.connect('retention');
    retention = new RetentionRepository(
      db.events,
      db.deliveries,
      db.attempts,
      db.connection.model<RetryJobDocument>(RETRY_JOB_MODEL),
      db.connection.model<DeliveryTaskDocument>(DELIVERY_TASK_MODEL),
      db.connection.model<RateLimitWindowDocument>(RATE_LIMIT_WINDOW_MODEL),
    );
    metrics = new DispatcherMetrics();
    const environment = validateEnvironment({
      RETENTION_EVENTS: '1h',
      RETENTION_ATTEMPTS: '1h',
      RETENTION_RETRY_JOBS: '1h',
    });
    const config = { durationMs: (key: keyof typeof environment) => parseDuration(String(environment[key])) };
    // Small rounds, so the walk crosses several of them and kept events sit between round boundaries.
    policy = { ...new RetentionPolicy(config as unknown as AppConfig), roundSize: 3, roundPauseMs: 10 };
  });

  afterAll(async () => {
    await db?.close();
  });

  /** An event stored `age` ago, with one delivery per entry of `deliveries` (changes to a pending row). */
  async function storeEvent(age: number, deliveries: Partial<DeliveryDocument>[] = []): Promise<string> {
    const webhookIds = deliveries.map(() => randomUUID());
    const event: EventDocument = pendingEvent(
      { _id: randomUUID(), tenantId, type: 'invoice.paid', payloadJson: '{"amount":42}' },
      webhookIds,
      at(age),
    );
    await db.events.collection.insertOne(event as never);
    const rows = deliveries.map((changes, i) => ({
      ...pendingDeliveryRow(
        { tenantId, eventId: event._id, webhookId: webhookIds[i], url: 'https://x.test/' },
        at(age),
      ),
      ...changes,
    }));
    if (rows.length > 0) await db.deliveries.collection.insertMany(rows as never[]);
    return event._id;
  }
  const delivered = (age: number): Partial<DeliveryDocument> => ({
    status: DeliveryStatus.Delivered,
    attempts: 1,
    lastAttemptAt: at(age),
  });

  async function storeAttempt(age: number): Promise<string> {
    const _id = randomUUID();
    await db.attempts.collection.insertOne({
      _id,
      tenantId,
      eventId: randomUUID(),
      webhookId: randomUUID(),
      url: 'https://x.test/',
      commandId: 'c',
      trigger: 'initial',
      attemptNumber: 1,
      startedAt: at(age),
      durationMs: 5,
      success: true,
      statusCode: 200,
      errorKind: null,
      errorMessage: null,
      responseBodyExcerpt: null,
      createdAt: at(age),
    } as never);
    return _id;
  }

  async function storeRetryJob(age: number): Promise<string> {
    const job: RetryJobDocument = {
      _id: randomUUID(),
      tenantId,
      requestedBy: 'token',
      filter: {},
      status: RetryJobStatus.Completed,
      matched: 1,
      queued: 1,
      delivered: 1,
      failed: 0,
      error: null,
      createdAt: at(age),
      updatedAt: at(age),
    };
    await db.connection.model(RETRY_JOB_MODEL).collection.insertOne(job as never);
    return job._id;
  }

  async function storeTask(age: number, state: DeliveryTaskState, leaseUntil: Date): Promise<string> {
    const task: DeliveryTaskDocument = {
      _id: `cmd-${randomUUID()}:wh`,
      state,
      owner: 'dispatcher-a',
      leaseUntil,
      attemptId: randomUUID(),
      createdAt: at(age),
      completedAt: state === DeliveryTaskState.Completed ? at(age) : null,
      logJson: null,
    };
    await db.connection.model(DELIVERY_TASK_MODEL).collection.insertOne(task as never);
    return task._id;
  }

  /** A window of the API's shared rate-limit counts, written as the API writes it, first counted `age` ago. */
  async function storeRateLimitWindow(age: number): Promise<string> {
    const windowStart = now - age - ((now - age) % MINUTE);
    const key = randomUUID();
    const windows = new RateLimitWindowRepository(
      db.connection.model<RateLimitWindowDocument>(RATE_LIMIT_WINDOW_MODEL),
    );
    await windows.add([{ scope: 'ingest', key, windowStart, hits: 3 }], at(age));
    return rateLimitWindowId('ingest', windowStart, key);
  }

  const idsIn = async (name: string, filter: Record<string, unknown> = {}) =>
    (await db.connection.model(name).find(filter, { _id: 1 }).lean<{ _id: string }[]>().exec())
      .map(({ _id }) => _id)
      .sort();
  const sorted = (ids: string[]) => [...ids].sort();
  const deletedMetric = async (collection: string) =>
    (await metrics.retentionDeleted.get()).values.find(({ labels }) => labels.collection === collection)?.value ?? 0;

  it('deletes exactly what is past its cutoff, and no event a delivery may still need', async () => {
    // Past the 1h cutoff, and settled (or with no delivery at all): these go, with their deliveries.
    const expired = [
      await storeEvent(2 * HOUR, [delivered(2 * HOUR)]),
      await storeEvent(2 * HOUR, []),
      await storeEvent(HOUR + MINUTE, [delivered(HOUR + MINUTE), { status: DeliveryStatus.Failed, attempts: 8 }]),
      // Retrying, but nothing happened since before the cutoff and nothing is scheduled: abandoned.
      await storeEvent(3 * HOUR, [{ status: DeliveryStatus.Retrying, attempts: 2, lastAttemptAt: at(3 * HOUR) }]),
      await storeEvent(90 * MINUTE, [delivered(80 * MINUTE)]),
    ];
    // Old, but a delivery may still be attempted: a retry is scheduled, or a retry to a new webhook just
    // planned a pending delivery next to a settled one.
    const kept = [
      await storeEvent(4 * HOUR, [{ status: DeliveryStatus.Retrying, attempts: 3, nextAttemptAt: at(-10 * MINUTE) }]),
      await storeEvent(4 * HOUR, [delivered(4 * HOUR), { createdAt: at(MINUTE), updatedAt: at(MINUTE) }]),
      await storeEvent(2 * HOUR, [{ status: DeliveryStatus.Retrying, attempts: 1, lastAttemptAt: at(10 * MINUTE) }]),
    ];
    // Just inside the cutoff.
    const recent = [await storeEvent(HOUR - MINUTE, [delivered(HOUR - MINUTE)]), await storeEvent(MINUTE, [{}])];
    const survivingEvents = [...kept, ...recent];

    const oldAttempts = [await storeAttempt(HOUR + MINUTE), await storeAttempt(DAY), await storeAttempt(2 * HOUR)];
    const recentAttempts = [await storeAttempt(HOUR - MINUTE), await storeAttempt(0)];
    const oldJobs = [await storeRetryJob(HOUR + MINUTE)];
    const recentJobs = [await storeRetryJob(HOUR - MINUTE)];
    const oldTasks = [
      await storeTask(8 * DAY, DeliveryTaskState.Completed, at(8 * DAY)),
      // A claim whose holder died a week ago: no one holds it.
      await storeTask(8 * DAY, DeliveryTaskState.InFlight, at(8 * DAY)),
    ];
    const keptTasks = [
      await storeTask(7 * DAY - MINUTE, DeliveryTaskState.Completed, at(7 * DAY)),
      // Old, but retaken just now by a replayed command: deleting it would let the command go out twice.
      await storeTask(8 * DAY, DeliveryTaskState.InFlight, at(-MINUTE)),
    ];
    const oldWindows = [await storeRateLimitWindow(HOUR + MINUTE)];
    const recentWindows = [await storeRateLimitWindow(HOUR - MINUTE), await storeRateLimitWindow(0)];
    const deliveriesBefore = await db.deliveries.countDocuments({ tenantId });

    // Two dispatchers purging at the same time.
    const [first, second] = await Promise.all(
      [0, 1].map(() => new PurgeExpiredUseCase(retention, metrics, policy).execute({ now: new Date(now) })),
    );
    const deleted = (collection: RetainedCollection) => first[collection] + second[collection];

    expect(await idsIn(EVENT_MODEL, { tenantId })).toEqual(sorted(survivingEvents));
    const survivingDeliveries = await db.deliveries.find({ tenantId }).lean<DeliveryDocument[]>().exec();
    expect(sorted([...new Set(survivingDeliveries.map(({ eventId }) => eventId))])).toEqual(sorted(survivingEvents));
    expect(survivingDeliveries).toHaveLength(6);
    expect(await idsIn(DELIVERY_ATTEMPT_MODEL)).toEqual(sorted(recentAttempts));
    expect(await idsIn(RETRY_JOB_MODEL)).toEqual(sorted(recentJobs));
    expect(await idsIn(DELIVERY_TASK_MODEL)).toEqual(sorted(keptTasks));
    expect(await idsIn(RATE_LIMIT_WINDOW_MODEL)).toEqual(sorted(recentWindows));

    // Each document counted once, however the two passes shared the work.
    expect(deleted(RetainedCollection.Events)).toBe(expired.length);
    expect(deleted(RetainedCollection.Deliveries)).toBe(deliveriesBefore - survivingDeliveries.length);
    expect(deleted(RetainedCollection.Attempts)).toBe(oldAttempts.length);
    expect(deleted(RetainedCollection.RetryJobs)).toBe(oldJobs.length);
    expect(deleted(RetainedCollection.Tasks)).toBe(oldTasks.length);
    expect(deleted(RetainedCollection.RateLimitWindows)).toBe(oldWindows.length);
    expect(await deletedMetric(RetainedCollection.Events)).toBe(expired.length);
    expect(await deletedMetric(RetainedCollection.Attempts)).toBe(oldAttempts.length);

    // A second pass finds nothing more.
    const again = await new PurgeExpiredUseCase(retention, metrics, policy).execute({ now: new Date(now) });
    expect(Object.values(again)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
