import { randomUUID } from 'node:crypto';
import { DeliveryLogV1 } from '@app/contracts';
import { asTenantId, attemptDocumentOf } from '@app/persistence';
import {
  AttemptOutcomeFields,
  DeliveryAttemptStatsReader,
} from '../../apps/api/src/console/delivery-attempt-stats.reader';
import { deliveryLog } from '../support/delivery-log';
import { testDbEngine } from '../support/infra';
import { TestDatabase } from '../support/test-database';

const MINUTE_MS = 60_000;

/**
 * The console's two queries (GET /v1/stats/deliveries-per-minute and /webhook-success-rates) against the
 * real test database: only the caller's attempts in the half-open window count, for the webhooks asked.
 */
describe(`DeliveryAttemptStatsReader on ${testDbEngine()}`, () => {
  let db: TestDatabase;
  let stats: DeliveryAttemptStatsReader;
  const otherTenant = `tenant-${randomUUID()}`;
  const from = new Date(Date.UTC(2025, 0, 1, 12, 0));
  const to = new Date(from.getTime() + 60 * MINUTE_MS);
  const at = (minutes: number) => new Date(from.getTime() + minutes * MINUTE_MS);

  beforeAll(async () => {
    db = await TestDatabase.connect('attempt_stats');
    stats = new DeliveryAttemptStatsReader(db.attempts);
  });

  afterAll(async () => {
    await db?.close();
  });

  const newTenant = () => asTenantId(`tenant-${randomUUID()}`);
  const store = async (tenantId: string, logs: Partial<DeliveryLogV1>[]) => {
    const now = new Date();
    await db.attempts.collection.insertMany(
      logs.map((changes) => attemptDocumentOf(deliveryLog({ tenantId, ...changes }), now)) as never[],
    );
  };
  const outcome = (startedAt: Date, statusCode: number | null): Partial<DeliveryLogV1> => ({
    startedAt: startedAt.toISOString(),
    success: statusCode !== null && statusCode < 300,
    statusCode,
  });

  it('visits the attempts started in the window, of this tenant and, when asked, of one webhook', async () => {
    const tenantId = newTenant();
    const webhookId = randomUUID();
    const otherWebhook = randomUUID();
    // More than the reader's cursor batch (2,000), so the read spans several getMore round trips.
    const inWindow = Array.from({ length: 2_050 }, (_, index) => ({
      webhookId: index % 2 === 0 ? webhookId : otherWebhook,
      ...outcome(at(index % 60), [200, 500, null][index % 3]),
    }));
    await store(tenantId, [
      ...inWindow,
      { webhookId, ...outcome(at(-1), 200) }, // a minute before the window
      { webhookId, ...outcome(to, 200) }, // the window's end is not in it
      { webhookId, tenantId: otherTenant, ...outcome(at(1), 200) },
    ]);

    const all: AttemptOutcomeFields[] = [];
    await stats.forEachAttempt(tenantId, { from, to }, (attempt) => all.push(attempt));
    const one: AttemptOutcomeFields[] = [];
    await stats.forEachAttempt(tenantId, { from, to, webhookId }, (attempt) => one.push(attempt));

    const key = ({ startedAt, success, statusCode }: AttemptOutcomeFields) =>
      `${new Date(startedAt).toISOString()} ${success} ${statusCode}`;
    const expected = (rows: typeof inWindow) =>
      rows.map((row) => `${row.startedAt} ${row.success} ${row.statusCode}`).sort();
    expect(all.map(key).sort()).toEqual(expected(inWindow));
    expect(one.map(key).sort()).toEqual(expected(inWindow.filter((row) => row.webhookId === webhookId)));
    // Only the fields an outcome is read from, as Dates.
    expect(Object.keys(all[0]).sort()).toEqual(['startedAt', 'statusCode', 'success']);
    expect(all[0].startedAt).toBeInstanceOf(Date);
  });

  it('counts attempts per webhook and outcome, for the webhooks asked only', async () => {
    const tenantId = newTenant();
    const [steady, flaky, unasked, silent] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await store(tenantId, [
      ...[0, 1, 2].map((minute) => ({ webhookId: steady, ...outcome(at(minute), 200) })),
      { webhookId: flaky, ...outcome(at(3), 200) },
      { webhookId: flaky, ...outcome(at(4), 503) },
      { webhookId: flaky, ...outcome(at(5), null) },
      { webhookId: flaky, ...outcome(at(-5), 200) }, // before the window
      { webhookId: unasked, ...outcome(at(6), 200) },
      { webhookId: flaky, tenantId: otherTenant, ...outcome(at(7), 200) },
    ]);

    const counts = await stats.countByWebhookAndSuccess(tenantId, [steady, flaky, silent], { from, to });

    const byKey = (rows: typeof counts) =>
      [...rows].sort((a, b) => `${a.webhookId}${a.success}`.localeCompare(`${b.webhookId}${b.success}`));
    expect(byKey(counts)).toEqual(
      byKey([
        { webhookId: steady, success: true, count: 3 },
        { webhookId: flaky, success: true, count: 1 },
        { webhookId: flaky, success: false, count: 2 },
      ]),
    );
  });
});
