import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppProcess, freePort } from '../support/app-process';
import { testKafkaBrokers } from '../support/infra';
import { TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { sleep, waitFor } from '../support/wait-for';
import { CommandReader } from '../api/support/command-reader';
import { VERIFIED_TOKEN_TTL_MS } from '../../apps/api/src/auth/verified-token-cache';
import {
  ApiAnswer,
  appLogPath,
  createTokenWithCli,
  IssuedTenantToken,
  runTokenCli,
  SpawnedApi,
} from './support/security-api';

/**
 * Who may call the API and what they may see, checked the way an attacker would probe it: against the
 * built API and dispatcher as real processes (logging at `trace`), the real broker and FerretDB.
 *
 * Kept elsewhere, not repeated here: test/api/tenant-isolation.e2e-spec.ts (another tenant's object
 * answers 404 with the exact body on every route), test/api/rate-limit.e2e-spec.ts (429 with
 * Retry-After, per tenant, public endpoints unlimited) and test/api/shared-rate-limit.e2e-spec.ts (the
 * limits across API processes).
 */
describe('Authentication, tenancy and secrets', () => {
  const label = `security-${process.pid}`;
  let db: TestDatabase;
  let receiver: TestReceiver;
  let commands: CommandReader;
  let api: SpawnedApi;
  let dispatcher: AppProcess;

  /** The victim (B), the intruder (A) and a token revoked by the operator. */
  let owner: IssuedTenantToken;
  let intruder: IssuedTenantToken;
  let revoked: IssuedTenantToken;
  const payloadMarker = `owner-private-${randomUUID()}`;
  let ownerWebhookId: string;
  let ownerOperationalWebhookId: string;
  let ownerWebhookUrl: string;
  let ownerEventId: string;
  let ownerIdempotencyKey: string;
  let ownerJobId: string;
  const ownerSecrets: string[] = [];
  let intruderWebhookId: string;
  let intruderEventId: string;

  const ok = <T>(answer: ApiAnswer, status = 200): T => {
    if (answer.status !== status) throw new Error(`Expected ${status}, got ${answer.status}: ${answer.text}`);
    return (answer.body as { data: T }).data;
  };

  beforeAll(async () => {
    db = await TestDatabase.connect('security_auth');
    receiver = await new TestReceiver().start();
    [api, dispatcher] = await Promise.all([
      SpawnedApi.start(`${label}-api`, db.uri, { RATE_LIMIT_PER_MINUTE: '100000', AUTH_FAILURES_PER_MINUTE: '100000' }),
      new AppProcess(
        'dispatcher',
        await freePort(),
        {
          KAFKA_BROKERS: testKafkaBrokers(),
          MONGODB_URI: db.uri,
          LOG_LEVEL: 'trace',
          ALLOW_PRIVATE_TARGETS: 'false',
          PRIVATE_TARGET_ALLOWLIST: `127.0.0.1:${receiver.port}`,
        },
        `${label}-dispatcher`,
      ).start(),
    ]);
    // After the API, which creates the topics on a fresh broker.
    commands = await new CommandReader().start();
    [owner, intruder, revoked] = await Promise.all([
      createTokenWithCli(db.uri, `owner-${randomUUID().slice(0, 8)}`),
      createTokenWithCli(db.uri, `intruder-${randomUUID().slice(0, 8)}`),
      createTokenWithCli(db.uri, `revoked-${randomUUID().slice(0, 8)}`),
    ]);

    ownerWebhookUrl = receiver.url(`/owner-${randomUUID()}`);
    const created = ok<{ webhookId: string; secret: string }>(
      await api.call('POST', '/v1/webhooks', { token: owner.token, body: { url: ownerWebhookUrl } }),
      201,
    );
    ownerWebhookId = created.webhookId;
    ownerSecrets.push(created.secret);
    const rotated = ok<{ secret: string }>(
      await api.call('POST', `/v1/webhooks/${ownerWebhookId}/secret/rotate`, { token: owner.token }),
    );
    ownerSecrets.push(rotated.secret);
    const operational = ok<{ webhookId: string; secret: string }>(
      await api.call('POST', '/v1/operational-webhooks', { token: owner.token, body: { url: ownerWebhookUrl } }),
      201,
    );
    ownerOperationalWebhookId = operational.webhookId;
    ownerSecrets.push(operational.secret);

    ownerIdempotencyKey = `owner-key-${randomUUID()}`;
    ownerEventId = ok<{ eventId: string }>(
      await api.call('POST', '/v1/webhooks/events', {
        token: owner.token,
        body: { type: 'owner.private', payload: { marker: payloadMarker }, idempotencyKey: ownerIdempotencyKey },
      }),
      201,
    ).eventId;
    // A real delivery, signed with both live secrets, so the owner has attempts and the dispatcher used the secrets.
    await waitFor('the owner’s event at the receiver', () =>
      receiver.requests.some((r) => r.body.includes(payloadMarker)),
    );
    await waitFor('the owner’s attempt to be logged', async () => (await db.attemptsOf(ownerEventId)).length > 0);
    ownerJobId = ok<{ jobId: string }>(
      await api.call('POST', '/v1/webhooks/events/retry', { token: owner.token, body: {} }),
      202,
    ).jobId;

    intruderWebhookId = ok<{ webhookId: string }>(
      await api.call('POST', '/v1/webhooks', { token: intruder.token, body: { url: receiver.url('/intruder') } }),
      201,
    ).webhookId;
    intruderEventId = ok<{ eventId: string }>(
      await api.call('POST', '/v1/webhooks/events', {
        token: intruder.token,
        body: { type: 'intruder.own', payload: { mine: true } },
      }),
      201,
    ).eventId;

    expect(await runTokenCli(db.uri, ['tokens', 'revoke', revoked.tokenId])).toContain(
      `Revoked token ${revoked.tokenId}.`,
    );
  });

  afterAll(async () => {
    await api?.stop();
    await dispatcher?.stop();
    await commands?.stop();
    await receiver?.stop();
    await db?.close();
  });

  /** Every route that needs a token, aimed at the owner's objects. */
  const authenticatedRoutes = (): [string, string, unknown?][] => [
    ['GET', '/v1/webhooks'],
    ['POST', '/v1/webhooks', { url: receiver.url('/sneaky') }],
    ['GET', `/v1/webhooks/${ownerWebhookId}`],
    ['PATCH', `/v1/webhooks/${ownerWebhookId}`, { active: false }],
    ['DELETE', `/v1/webhooks/${ownerWebhookId}`],
    ['POST', `/v1/webhooks/${ownerWebhookId}/secret/rotate`],
    ['POST', `/v1/webhooks/${ownerWebhookId}/test`],
    ['GET', '/v1/webhooks/events'],
    ['POST', '/v1/webhooks/events', { type: 'sneaky.event', payload: {} }],
    ['GET', `/v1/webhooks/events/${ownerEventId}`],
    ['GET', `/v1/webhooks/events/${ownerEventId}/status`],
    ['GET', `/v1/webhooks/events/${ownerEventId}/logs`],
    ['POST', `/v1/webhooks/events/${ownerEventId}/retry`],
    ['POST', '/v1/webhooks/events/retry', {}],
    ['GET', '/v1/webhooks/retry-jobs'],
    ['GET', `/v1/webhooks/retry-jobs/${ownerJobId}`],
    ['POST', `/v1/webhooks/retry-jobs/${ownerJobId}/cancel`],
    ['GET', '/v1/stats/deliveries-per-minute'],
    ['GET', `/v1/stats/webhook-success-rates?webhookIds=${ownerWebhookId}`],
    ['GET', '/v1/whoami'],
    ['GET', '/v1/operational-webhooks'],
    ['POST', '/v1/operational-webhooks', { url: receiver.url('/sneaky-ops') }],
    ['GET', `/v1/operational-webhooks/${ownerOperationalWebhookId}`],
    ['DELETE', `/v1/operational-webhooks/${ownerOperationalWebhookId}`],
  ];

  describe('401 for every way a credential can be wrong, on every authenticated route', () => {
    it('knows every /v1 route the OpenAPI document lists (a new route must be added above)', async () => {
      const document = (await api.call('GET', '/docs-json')).body as { paths: Record<string, object> };
      const documented = Object.entries(document.paths)
        .filter(([path]) => path.startsWith('/v1/'))
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
      const covered = authenticatedRoutes().map(
        ([method, path]) =>
          `${method} ${path
            .replace(/\?.*$/, '')
            .replace(ownerWebhookId, '{webhookId}')
            .replace(ownerOperationalWebhookId, '{webhookId}')
            .replace(ownerEventId, '{eventId}')
            .replace(ownerJobId, '{jobId}')}`,
      );
      expect([...new Set(covered)].sort()).toEqual([...new Set(documented)].sort());
    });

    it('serves /metrics, which is for Prometheus, on the ops port only, and leaves it out of the OpenAPI document', async () => {
      const document = (await api.call('GET', '/docs-json')).body as { paths: Record<string, object> };
      expect(Object.keys(document.paths)).not.toContain('/metrics');
      expect((await api.call('GET', '/metrics')).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${api.process.metricsPort}/metrics`)).status).toBe(200);
    });

    const wrongCredentials: [string, () => string | undefined, string][] = [
      ['no Authorization header', () => undefined, 'Missing bearer token'],
      ['an empty Authorization header', () => '', 'Missing bearer token'],
      ['the Basic scheme', () => 'Basic dXNlcjpwYXNz', 'Authorization header must use the Bearer scheme'],
      ['the token without a scheme', () => owner.token, 'Authorization header must use the Bearer scheme'],
      [
        'another scheme with a valid token',
        () => `Token ${owner.token}`,
        'Authorization header must use the Bearer scheme',
      ],
      [
        'the scheme glued to the token',
        () => `Bearer:${owner.token}`,
        'Authorization header must use the Bearer scheme',
      ],
      ['the scheme alone', () => 'Bearer', 'Malformed Authorization header'],
      ['two tokens', () => `Bearer ${owner.token} ${owner.token}`, 'Malformed Authorization header'],
      ['a token of the wrong format', () => 'Bearer not-a-token', 'Malformed API token'],
      ['a token with its prefix changed', () => `Bearer xyz_${owner.token.slice(4)}`, 'Malformed API token'],
      ['an unknown token id', () => `Bearer whk_${randomUUID()}_${'A'.repeat(43)}`, 'Invalid or revoked API token'],
      [
        'a known token id with a wrong secret',
        () => `Bearer ${withWrongSecret(owner.token)}`,
        'Invalid or revoked API token',
      ],
      ['a revoked token', () => `Bearer ${revoked.token}`, 'Invalid or revoked API token'],
    ];

    it.each(wrongCredentials)(
      '%s answers 401 with one useful message and nothing else',
      async (_label, header, message) => {
        for (const [method, path, body] of authenticatedRoutes()) {
          const answer = await api.call(method, path, { authorization: header(), body });
          expect({ route: `${method} ${path}`, status: answer.status, body: answer.body }).toEqual({
            route: `${method} ${path}`,
            status: 401,
            body: { message },
          });
          expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
          expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
        }
        // Nothing was changed by the refused calls.
        const webhook = ok<{ active: boolean }>(
          await api.call('GET', `/v1/webhooks/${ownerWebhookId}`, { token: owner.token }),
        );
        expect(webhook.active).toBe(true);
      },
    );

    it('never echoes the presented credential in a 401 body', async () => {
      for (const header of [
        `Bearer ${withWrongSecret(owner.token)}`,
        `Bearer ${revoked.token}`,
        `Basic ${owner.token}`,
      ]) {
        const answer = await api.call('GET', '/v1/webhooks', { authorization: header });
        expect(answer.status).toBe(401);
        expect(answer.text).not.toContain(header.split(' ')[1]);
      }
    });

    // RFC 7235: the scheme is case-insensitive; RFC 6750: one or more spaces separate it from the token.
    it.each([
      ['lower case', (token: string) => `bearer ${token}`],
      ['upper case', (token: string) => `BEARER ${token}`],
      ['mixed case', (token: string) => `bEaReR ${token}`],
      ['several spaces', (token: string) => `Bearer    ${token}`],
      ['surrounding spaces', (token: string) => `  Bearer ${token}  `],
    ])('accepts the Bearer scheme in %s', async (_label, header) => {
      const answer = await api.call('GET', '/v1/webhooks', { authorization: header(owner.token) });
      expect(answer.status).toBe(200);
    });

    it('refuses a token the operator revoked within the verification window, while the tenant’s other tokens keep working', async () => {
      const second = await createTokenWithCli(db.uri, owner.tenantId);
      ok(await api.call('GET', `/v1/webhooks/${ownerWebhookId}`, { token: second.token }));
      expect(await runTokenCli(db.uri, ['tokens', 'revoke', second.tokenId])).toContain('Revoked token');

      // The API trusts a token it verified for VERIFIED_TOKEN_TTL_MS; the CLI is another process.
      const refused = await waitFor(
        'the revoked token to be refused',
        async () => {
          const answer = await api.call('GET', `/v1/webhooks/${ownerWebhookId}`, { token: second.token });
          return answer.status === 200 ? undefined : answer;
        },
        VERIFIED_TOKEN_TTL_MS + 1_000,
      );
      expect({ status: refused.status, body: refused.body }).toEqual({
        status: 401,
        body: { message: 'Invalid or revoked API token' },
      });
      ok(await api.call('GET', `/v1/webhooks/${ownerWebhookId}`, { token: owner.token }));
    });
  });

  describe('another tenant’s token reaches nothing of the owner’s', () => {
    /** What of the owner's shows in an answer, besides ids the intruder itself put in the request. */
    const leaks = (answer: ApiAnswer, asked: string[] = []) =>
      [
        ownerWebhookId,
        ownerOperationalWebhookId,
        ownerWebhookUrl,
        ownerEventId,
        ownerJobId,
        payloadMarker,
        owner.tenantId,
        ...ownerSecrets,
      ]
        .filter((value) => !asked.includes(value))
        .filter((value) => answer.text.includes(value));

    it('neither lists, reads nor deletes the owner’s operational webhook', async () => {
      const listed = await api.call('GET', '/v1/operational-webhooks', { token: intruder.token });
      expect(ok(listed)).toEqual({ items: [], nextCursor: null });
      for (const method of ['GET', 'DELETE']) {
        const answer = await api.call(method, `/v1/operational-webhooks/${ownerOperationalWebhookId}`, {
          token: intruder.token,
        });
        expect({ status: answer.status, body: answer.body }).toEqual({
          status: 404,
          body: { message: 'Webhook not found' },
        });
      }
      ok(await api.call('GET', `/v1/operational-webhooks/${ownerOperationalWebhookId}`, { token: owner.token }));
    });

    it('does not retry the intruder’s own event to the owner’s webhook', async () => {
      const answer = await api.call('POST', `/v1/webhooks/events/${intruderEventId}/retry`, {
        token: intruder.token,
        body: { webhookId: ownerWebhookId },
      });
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 404,
        body: { message: 'Webhook not found' },
      });
      await sleep(500);
      expect(commands.matching(intruderEventId).filter((read) => read.command.webhookId === ownerWebhookId)).toEqual(
        [],
      );
    });

    it('shows none of the owner’s attempts through the logs filter or the console stats', async () => {
      const logs = await api.call('GET', `/v1/webhooks/events/${intruderEventId}/logs?webhookId=${ownerWebhookId}`, {
        token: intruder.token,
      });
      expect(ok(logs)).toEqual({ items: [], nextCursor: null });

      const rates = await api.call('GET', `/v1/stats/webhook-success-rates?webhookIds=${ownerWebhookId}`, {
        token: intruder.token,
      });
      expect(ok<{ items: unknown[] }>(rates).items).toEqual([
        { webhookId: ownerWebhookId, attempts: 0, succeeded: 0, successRate: null },
      ]);
      const ownRates = await api.call('GET', `/v1/stats/webhook-success-rates?webhookIds=${ownerWebhookId}`, {
        token: owner.token,
      });
      expect(ok<{ items: { attempts: number }[] }>(ownRates).items[0].attempts).toBeGreaterThan(0);

      const perMinute = await api.call('GET', `/v1/stats/deliveries-per-minute?hours=1&webhookId=${ownerWebhookId}`, {
        token: intruder.token,
      });
      expect(ok<{ totals: unknown }>(perMinute).totals).toEqual({ succeeded: 0, httpError: 0, noResponse: 0 });
      for (const answer of [logs, rates, perMinute]) expect(leaks(answer, [ownerWebhookId])).toEqual([]);
    });

    it('gives the intruder a new event for an idempotency key the owner already used, not the owner’s event', async () => {
      const answer = await api.call('POST', '/v1/webhooks/events', {
        token: intruder.token,
        body: { type: 'intruder.own', payload: { again: true }, idempotencyKey: ownerIdempotencyKey },
      });
      expect(answer.status).toBe(201);
      expect(ok<{ eventId: string }>(answer, 201).eventId).not.toBe(ownerEventId);
      expect(leaks(answer)).toEqual([]);
    });

    it('publishes a bulk retry’s commands for the intruder’s events only', async () => {
      const jobId = ok<{ jobId: string }>(
        await api.call('POST', '/v1/webhooks/events/retry', { token: intruder.token, body: {} }),
        202,
      ).jobId;
      const job = await waitFor('the intruder’s bulk retry to queue everything', async () => {
        const current = ok<{ status: string; matched: number; queued: number }>(
          await api.call('GET', `/v1/webhooks/retry-jobs/${jobId}`, { token: intruder.token }),
        );
        return ['queued', 'running'].includes(current.status) ? undefined : current;
      });
      expect(job).toMatchObject({ status: 'completed' });
      const published = await waitFor('the job’s commands', () => {
        const read = commands.forJob(jobId);
        return read.length >= job.queued ? read : undefined;
      });
      await sleep(500);

      expect(published.length).toBeGreaterThan(0);
      const intruderEvents = new Set(
        (await db.events.find({ tenantId: intruder.tenantId }, { _id: 1 }).lean()).map((e) => e._id),
      );
      expect(commands.forJob(jobId).filter((read) => !intruderEvents.has(read.command.eventId))).toEqual([]);
      expect(
        commands
          .forJob(jobId)
          .map((read) => read.command.webhookId)
          .filter((id) => id === ownerWebhookId),
      ).toEqual([]);
      expect(commands.matching(ownerEventId).filter((read) => read.command.retryJobId === jobId)).toEqual([]);
      expect(published.map((read) => read.command.eventId)).toContain(intruderEventId);
      expect(
        published.every((read) => read.command.webhookId === undefined || read.command.webhookId === intruderWebhookId),
      ).toBe(true);
    });
  });

  describe('secrets stay secret', () => {
    it('stores only a SHA-256 of each token’s secret, never the token', async () => {
      const stored = await db.connection
        .collection('api_tokens')
        .find({ _id: { $in: [owner.tokenId, intruder.tokenId, revoked.tokenId] } } as never)
        .toArray();
      expect(stored).toHaveLength(3);
      for (const issued of [owner, intruder, revoked]) {
        const document = stored.find((each) => String(each._id) === issued.tokenId)!;
        const secret = issued.token.slice(`whk_${issued.tokenId}_`.length);
        const raw = JSON.stringify(document);
        expect(raw).not.toContain(issued.token);
        expect(raw).not.toContain(secret);
        expect(document.secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
      }
    });

    it('never shows a signing secret in a list, a read, an update or an error', async () => {
      const answers = [
        await api.call('GET', '/v1/webhooks', { token: owner.token }),
        await api.call('GET', `/v1/webhooks/${ownerWebhookId}`, { token: owner.token }),
        await api.call('PATCH', `/v1/webhooks/${ownerWebhookId}`, { token: owner.token, body: { description: 'x' } }),
        await api.call('PATCH', `/v1/webhooks/${ownerWebhookId}`, {
          token: owner.token,
          body: { secret: ownerSecrets[1] },
        }),
        await api.call('POST', '/v1/webhooks', { token: owner.token, body: { url: 'nope', secret: ownerSecrets[0] } }),
        await api.call('GET', `/v1/webhooks/events/${ownerEventId}/status`, { token: owner.token }),
        await api.call('GET', `/v1/webhooks/events/${ownerEventId}/logs`, { token: owner.token }),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 400, 400, 200, 200]);
      for (const answer of answers) {
        for (const secret of ownerSecrets) {
          expect(answer.text).not.toContain(secret);
          expect(answer.text).not.toContain(secret.slice('whsec_'.length));
        }
        expect(answer.text).not.toContain(owner.token);
        expect(answer.text).not.toMatch(/"secret"/);
      }
    });

    it('never writes a token or a signing secret to the api’s or the dispatcher’s log', async () => {
      const logs = { api: api.log(), dispatcher: dispatcherLog() };
      // Not vacuous: at `trace` both logged this suite's traffic.
      expect(logs.api).toContain('/v1/webhooks');
      expect(logs.dispatcher.length).toBeGreaterThan(0);
      const secrets = [owner, intruder, revoked].flatMap((issued) => [
        issued.token,
        issued.token.slice(`whk_${issued.tokenId}_`.length),
      ]);
      for (const secret of ownerSecrets) secrets.push(secret, secret.slice('whsec_'.length));
      for (const [app, text] of Object.entries(logs)) {
        expect({ app, found: secrets.filter((secret) => text.includes(secret)) }).toEqual({ app, found: [] });
      }
    });
  });

  const dispatcherLog = () => readFileSync(appLogPath(`${label}-dispatcher`, dispatcher.port), 'utf8');
});

/** The same token id with a different (well-formed) secret. */
function withWrongSecret(token: string): string {
  const last = token[token.length - 1];
  return token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}
