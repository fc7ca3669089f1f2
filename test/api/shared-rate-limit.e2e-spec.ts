import { randomUUID } from 'node:crypto';
import { RATE_LIMIT_WINDOW_MODEL, RateLimitWindowDocument } from '@app/persistence';
import { TestDatabase } from '../support/test-database';
import { sleep, waitFor } from '../support/wait-for';
import { ApiAnswer, runTokenCli, SpawnedApi } from '../security/support/security-api';

const MINUTE = 60_000;
const LIMIT = 20;
const AUTH_FAILURES = 6;
/**
 * Each process decides on the others' hits as of its own last sync: taking turns, it may let through the
 * one or two the other accepted since then. Counted per process, 15 offered to each would all pass.
 */
const SYNC_SLACK = 2;

/**
 * A tenant's limits hold across API processes: two built APIs against one database and broker share
 * their counts through MongoDB, and a client taking turns between them gets no more than the limit
 * (plus the slack of one sync) in total. Event ingest and the other routes are limited apart, an
 * operator's per-tenant limits (CLI) apply, and the refused-token limit per address is shared too.
 */
describe('Rate limits shared by two API processes', () => {
  const label = `shared-limit-${process.pid}`;
  let db: TestDatabase;
  let apis: SpawnedApi[];
  let tenants: { tenantId: string; token: string }[];

  /** A token issued as an operator does (`tokens create`); the token is the last line printed. */
  const issueToken = async (tenantId: string) => {
    const printed = await runTokenCli(db.uri, ['tokens', 'create', '--tenant', tenantId]);
    return { tenantId, token: printed.trim().split('\n').pop()!.trim() };
  };

  beforeAll(async () => {
    db = await TestDatabase.connect('shared_rate_limit');
    const env = {
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_INGEST_PER_MINUTE: String(LIMIT),
      AUTH_FAILURES_PER_MINUTE: String(AUTH_FAILURES),
      RATE_LIMIT_SYNC_INTERVAL: '50ms',
      LOG_LEVEL: 'warn',
    };
    apis = await Promise.all([
      SpawnedApi.start(`${label}-a`, db.uri, env),
      SpawnedApi.start(`${label}-b`, db.uri, env),
    ]);
    tenants = await Promise.all(
      ['other', 'ingest', 'override'].map((name) => issueToken(`${name}-${randomUUID().slice(0, 8)}`)),
    );
  });

  afterAll(async () => {
    await Promise.all((apis ?? []).map((api) => api.stop()));
    await db?.connection.dropDatabase().catch(() => undefined);
    await db?.close();
  });

  /** Every process's hits on one limit, as shared through the database. */
  const sharedHits = async (scope: string, key?: string): Promise<number> => {
    const windows = await db.connection
      .model<RateLimitWindowDocument>(RATE_LIMIT_WINDOW_MODEL)
      .find(key === undefined ? { scope } : { scope, key })
      .lean()
      .exec();
    return windows.reduce((sum, { hits }) => sum + hits, 0);
  };

  /**
   * The limits count per minute over a sliding window: a sequence that started late in a minute would
   * see part of its hits fade as the next one begins. Start each early enough in one.
   */
  const inFreshWindow = async (): Promise<void> => {
    const left = MINUTE - (Date.now() % MINUTE);
    if (left < 25_000) await sleep(left + 200);
  };

  /**
   * Sends `count` requests taking turns between the two processes; after each one let through, waits until
   * its process has shared the hit (so the test does not depend on how fast the machine is).
   */
  async function inTurns(
    count: number,
    scope: string,
    key: string | undefined,
    send: (api: SpawnedApi) => Promise<ApiAnswer>,
  ): Promise<{ accepted: ApiAnswer[]; refused: ApiAnswer[]; order: number[] }> {
    const accepted: ApiAnswer[] = [];
    const refused: ApiAnswer[] = [];
    const order: number[] = [];
    for (let n = 0; n < count; n += 1) {
      const answer = await send(apis[n % 2]);
      order.push(answer.status);
      if (answer.status === 429) {
        refused.push(answer);
        continue;
      }
      accepted.push(answer);
      await waitFor(
        'the hit to reach the shared count',
        async () => (await sharedHits(scope, key)) >= accepted.length,
        10_000,
        20,
      );
    }
    return { accepted, refused, order };
  }

  const expectRefusedWithRetryAfter = (answer: ApiAnswer, limit: number, what: string): void => {
    expect(answer.body).toEqual({
      message: `Too many requests: this tenant's limit is ${limit} ${what} per minute; see Retry-After`,
    });
    const retryAfter = Number(answer.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(2 * 60);
    expect(answer.headers.get('ratelimit-remaining')).toBe('0');
    expect(answer.headers.get('ratelimit-reset')).toBe(String(retryAfter));
  };

  it("holds a tenant's limit on the other routes across both processes together", async () => {
    const [tenant] = tenants;
    await inFreshWindow();
    const { accepted, refused, order } = await inTurns(30, 'other', tenant.tenantId, (api) =>
      api.call('GET', '/v1/webhooks', { token: tenant.token }),
    );

    expect(accepted.length).toBeGreaterThanOrEqual(LIMIT);
    expect(accepted.length).toBeLessThanOrEqual(LIMIT + SYNC_SLACK);
    // Once refused, refused on both processes for the rest of the minute.
    expect(order.slice(order.indexOf(429)).every((status) => status === 429)).toBe(true);
    for (const answer of refused) expectRefusedWithRetryAfter(answer, LIMIT, 'requests');
    expect(await sharedHits('other', tenant.tenantId)).toBe(accepted.length);

    const first = accepted[0].headers;
    expect(first.get('ratelimit-policy')).toBe(`${LIMIT};w=60`);
    expect(first.get('ratelimit-limit')).toBe(String(LIMIT));
    expect(first.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect(Number(first.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(first.get('retry-after')).toBeNull();
  });

  it('limits event ingest apart from the other routes, across both processes too', async () => {
    const [spent, tenant] = tenants;
    // The first tenant used up its other routes: its events still go in, on either process.
    for (const api of apis) {
      const created = await api.call('POST', '/v1/webhooks/events', {
        token: spent.token,
        body: { type: 'order.created', payload: { n: 1 } },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('ratelimit-policy')).toBe(`${LIMIT};w=60`);
    }

    await inFreshWindow();
    let n = 0;
    const { accepted, refused } = await inTurns(30, 'ingest', tenant.tenantId, (api) =>
      api.call('POST', '/v1/webhooks/events', {
        token: tenant.token,
        body: { type: 'order.created', payload: { n: (n += 1) } },
      }),
    );
    expect(accepted.every(({ status }) => status === 201)).toBe(true);
    expect(accepted.length).toBeGreaterThanOrEqual(LIMIT);
    expect(accepted.length).toBeLessThanOrEqual(LIMIT + SYNC_SLACK);
    for (const answer of refused) expectRefusedWithRetryAfter(answer, LIMIT, 'events');

    // Its ingest is used up; its other routes are not.
    for (const api of apis) expect((await api.call('GET', '/v1/webhooks', { token: tenant.token })).status).toBe(200);
  });

  it('applies the limits an operator set for a tenant with the CLI, on both processes', async () => {
    const [, , tenant] = tenants;
    const printed = await runTokenCli(db.uri, ['tenants', 'set-limits', tenant.tenantId, '--other', '5']);
    expect(printed).toContain(`Limits of tenant ${tenant.tenantId}:`);
    expect(printed).toContain('other routes: 5 requests per minute');
    // The CLI names the default of its own environment.
    expect(printed).toMatch(/event ingest: \d+ events per minute \(the default\)/);

    await inFreshWindow();
    const { accepted, refused } = await inTurns(12, 'other', tenant.tenantId, (api) =>
      api.call('GET', '/v1/webhooks/events', { token: tenant.token }),
    );
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(accepted.length).toBeLessThanOrEqual(5 + SYNC_SLACK);
    expect(accepted[0].headers.get('ratelimit-limit')).toBe('5');
    for (const answer of refused) expectRefusedWithRetryAfter(answer, 5, 'requests');

    // Its ingest limit is still the default.
    const created = await apis[1].call('POST', '/v1/webhooks/events', {
      token: tenant.token,
      body: { type: 'order.created', payload: {} },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('ratelimit-limit')).toBe(String(LIMIT));

    // Both limits in one go, one of them back to the default.
    const changed = await runTokenCli(db.uri, [
      'tenants',
      'set-limits',
      tenant.tenantId,
      '--ingest',
      '7',
      '--other',
      'default',
    ]);
    expect(changed).toContain('event ingest: 7 events per minute\n');
    expect(changed).toMatch(/other routes: \d+ requests per minute \(the default\)/);
  });

  // Last: it uses up the failures of the tests' address for the minute.
  it('counts requests with a refused token per address across both processes', async () => {
    await inFreshWindow();
    const wrong = { authorization: 'Bearer wrong' };
    const { accepted: unauthorized, refused } = await inTurns(AUTH_FAILURES * 2, 'auth-failures', undefined, (api) =>
      api.call('GET', '/v1/webhooks', wrong),
    );
    expect(unauthorized.every(({ status }) => status === 401)).toBe(true);
    expect(unauthorized.length).toBeGreaterThanOrEqual(AUTH_FAILURES);
    expect(unauthorized.length).toBeLessThanOrEqual(AUTH_FAILURES + SYNC_SLACK);
    for (const answer of refused) {
      expect(answer.body).toEqual({ message: 'Too many requests with an invalid API token; try again later' });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // A valid token from the same address still gets in.
    expect((await apis[0].call('GET', '/v1/whoami', { token: tenants[1].token })).status).toBe(200);
  });
});
