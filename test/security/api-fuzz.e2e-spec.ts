import { randomUUID } from 'node:crypto';
import { Server } from 'node:net';
import { getConnectionToken } from '@nestjs/mongoose';
import { isISO8601, isUUID } from 'class-validator';
import fc from 'fast-check';
import { Connection } from 'mongoose';
import {
  EVENT_TYPE_PATTERN,
  isOperationalEventType,
  MAX_EVENT_PAYLOAD_BYTES,
  OperationalEventType,
} from '@app/contracts';
import { ApiTestApp, startApiTestApp, TestTenant } from '../api/support/api-test-app';
import { createEvent, createWebhook } from '../api/support/fixtures';
import { waitFor } from '../support/wait-for';
import {
  bodyOf,
  combine,
  describeRequest,
  either,
  FieldSpec,
  FuzzAnswer,
  FuzzClient,
  FuzzRequest,
  invalid,
  judged,
  label,
  Labelled,
  QueryParam,
  queryOf,
  valid,
  Verdict,
} from './support/fuzz-http';
import {
  bigArray,
  brokenPercent,
  deepNesting,
  garbageBody,
  invalidUtf8Body,
  headerValue,
  hostileObject,
  hostileScalar,
  hostileString,
  hostileValue,
  Json,
  JsonObject,
  jsonText,
  OPERATOR_VALUES,
  percentEncode,
} from './support/fuzz-values';

/** The API's body limit (API_BODY_LIMIT_BYTES default); a larger body is a 413 whatever it holds. */
const BODY_LIMIT_BYTES = 320 * 1024;
/** Past this a URL may overflow Node's 16 KiB header limit (a 431 from Node, not from the app). */
const MAX_URL_CHARS = 8_000;
/** FUZZ_SCALE=0.1 for a quick look, 3 for a long soak; the default keeps the total above 10,000 cases. */
const SCALE = Number(process.env.FUZZ_SCALE ?? '1');
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** Query values stay short enough for the URL to fit Node's header limit. */
const QUERY_VALUE_CHARS = 600;
const shortString = hostileString.filter((text) => text.length <= QUERY_VALUE_CHARS);
const EVENT_STATUSES = ['pending', 'delivering', 'delivered', 'partially_delivered', 'failed'];

interface FuzzCase {
  request: FuzzRequest;
  verdict: Verdict;
}

interface RouteFuzz {
  name: string;
  runs: number;
  cases: fc.Arbitrary<FuzzCase>;
  /** /v1 answers: 2xx in the `{"success": true, "data": ...}` envelope. */
  envelope: boolean;
}

interface Tally {
  cases: number;
  ok: number;
  clientErrors: number;
  serverErrors: number;
}

/**
 * Property-based fuzzing of every route of the API: path parameters, query strings, headers and JSON
 * bodies with wrong types, huge sizes, deep nesting, lone surrogates and NUL, prototype keys and Mongo
 * operators anywhere. Each generated request carries a verdict (valid, invalid, or hostile-but-maybe-
 * acceptable) worked out from the route's contract; the API must answer accordingly, never with a 5xx,
 * and every error must be `{"message": "<non-empty string>"}`. Afterwards the database must hold no key
 * starting with `$`, and the other tenant's data must be exactly as it was and never have been shown.
 *
 * Runs in-process (startApiTestApp) against the real Kafka and FerretDB; FUZZ_SEED replays a run.
 */
describe('API fuzzing (fast-check)', () => {
  let api: ApiTestApp;
  let client: FuzzClient;
  let connection: Connection;
  let attacker: TestTenant;
  let victim: TestTenant;
  const own = { webhooks: [] as string[], events: [] as string[], jobs: [] as string[], operational: [] as string[] };
  const victimIds = { webhook: '', event: '', job: '', operational: '' };
  const victimMarkers: string[] = [];
  let victimSnapshot: Record<string, unknown[]>;
  const tallies = new Map<string, Tally>();

  beforeAll(async () => {
    api = await startApiTestApp('fuzz', {
      RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_INGEST_PER_MINUTE: '10000000',
      AUTH_FAILURES_PER_MINUTE: '10000000',
      BULK_RETRY_MAX_EVENTS: '3',
    });
    await api.app.listen(0, '127.0.0.1');
    client = new FuzzClient(api.app.getHttpServer() as Server);
    connection = api.app.get<Connection>(getConnectionToken());

    victim = await api.newTenant('fuzz-victim');
    attacker = await api.newTenant('fuzz-attacker');
    const victimUrl = `http://127.0.0.1:9/victim-${randomUUID()}`;
    const victimPayload = `victim-payload-${randomUUID()}`;
    victimMarkers.push(victim.tenantId, victimUrl, victimPayload);
    victimIds.webhook = await createWebhook(api, victim, { url: victimUrl });
    victimIds.event = await createEvent(api, victim, 'invoice.paid', { secret: victimPayload });
    victimIds.job = await startJob(victim);
    victimIds.operational = await createOperationalWebhook(victim, victimUrl);

    for (let index = 0; index < 3; index += 1) own.webhooks.push(await createWebhook(api, attacker));
    for (let index = 0; index < 3; index += 1) own.events.push(await createEvent(api, attacker));
    own.jobs.push(await startJob(attacker));
    for (let index = 0; index < 3; index += 1) own.operational.push(await createOperationalWebhook(attacker));
    // The victim's data must stand still before it is photographed: its bulk retry runs to its end first.
    await waitFor("the victim's bulk retry to finish", async () => {
      const job = await api.http().get(`/v1/webhooks/retry-jobs/${victimIds.job}`).set(victim.auth).expect(200);
      return !['queued', 'running'].includes(job.body.data.status);
    });
    victimSnapshot = await tenantData(victim.tenantId);
  });

  afterAll(async () => {
    client?.close();
    await api?.close();
  });

  const createOperationalWebhook = async (tenant: TestTenant, url = 'http://127.0.0.1:9/ops'): Promise<string> => {
    const response = await api.http().post('/v1/operational-webhooks').set(tenant.auth).send({ url }).expect(201);
    return response.body.data.webhookId as string;
  };

  const startJob = async (tenant: TestTenant): Promise<string> => {
    const response = await api.http().post('/v1/webhooks/events/retry').set(tenant.auth).send({}).expect(202);
    return response.body.data.jobId as string;
  };

  /** Every document of the tenant in every collection, in a stable order. */
  const tenantData = async (tenantId: string): Promise<Record<string, unknown[]>> => {
    const data: Record<string, unknown[]> = {};
    for (const { name } of await connection.db!.listCollections().toArray()) {
      data[name] = await connection.db!.collection(name).find({ tenantId }).sort({ _id: 1 }).toArray();
    }
    return data;
  };

  // ---------------------------------------------------------------- field values, with their verdicts

  const nonString = hostileValue.filter((value) => typeof value !== 'string');
  const OPERATIONAL_TYPES = Object.values(OperationalEventType);
  /** The type of an event a tenant publishes: the operational types are the service's own. */
  const publishedTypeValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(
      typeValue().map((labelled) =>
        isOperationalEventType(labelled.value as string) ? { ...labelled, verdict: 'invalid' as Verdict } : labelled,
      ),
      invalid<Json>(fc.constantFrom(...OPERATIONAL_TYPES)),
    );
  const operationalTypesValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(
      valid<Json>(fc.uniqueArray(fc.constantFrom(...OPERATIONAL_TYPES), { maxLength: 3 })),
      judged<Json>(
        fc.array(fc.oneof(hostileString, fc.constantFrom(...OPERATIONAL_TYPES, 'invoice.paid')), {
          minLength: 1,
          maxLength: 4,
        }),
        (items) => {
          const texts = items as string[];
          return texts.every((text) => isOperationalEventType(text)) && new Set(texts).size === texts.length
            ? 'valid'
            : 'invalid';
        },
      ),
      invalid(hostileValue.filter((value) => !Array.isArray(value))),
    );
  const typeValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(
      valid(fc.stringMatching(EVENT_TYPE_PATTERN)),
      judged<Json>(hostileString, (text) => (EVENT_TYPE_PATTERN.test(text as string) ? 'valid' : 'invalid')),
      invalid(nonString),
    );

  /** class-validator's length: code points, less variation selectors. */
  const lengthOf = (text: string) => [...text].length - (text.match(/[\uFE0E\uFE0F]/g)?.length ?? 0);
  const lengthVerdict = (min: number, max: number) => (text: string) =>
    lengthOf(text) >= min && lengthOf(text) <= max ? 'valid' : 'invalid';

  /** A date the API can use: ISO 8601 (strict) and a real instant. Anything else must be a 400. */
  const dateVerdict = (text: string): Verdict =>
    isISO8601(text, { strict: true }) && !Number.isNaN(Date.parse(text)) ? 'valid' : 'invalid';
  const dateText: fc.Arbitrary<string> = fc.oneof(
    fc
      .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString()),
    fc.constantFrom(
      '2020-W01',
      '2021-W53-7',
      '2020-001',
      '2020-366',
      '+2020-01-01',
      '2020',
      '2020-01',
      '20200101',
      '2020-02-30',
      '2020-01-01T24:00:00Z',
      '2020-01-01T00:00:00,5Z',
      '2020-01-01T0000',
      '2020-01-01T00Z',
      '2020-01-01 00:00:00',
      '+275760-09-13T00:00:00.001Z',
      '0000-01-01T00:00:00Z',
    ),
    shortString,
  );
  const dateValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(
      judged<Json>(dateText, (text) => dateVerdict(text as string)),
      invalid(nonString),
    );

  const statusValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(
      judged<Json>(fc.oneof(fc.constantFrom(...EVENT_STATUSES), hostileString), (text) =>
        EVENT_STATUSES.includes(text as string) ? 'valid' : 'invalid',
      ),
      invalid(nonString),
    );

  /** A UUID field: the caller's own ids answer `ownVerdict`, the victim's and unknown ids `otherVerdict`. */
  const uuidValue = (ownIds: () => string[], ownVerdict: Verdict, otherVerdict: Verdict, victimId?: () => string) =>
    fc.oneof(
      label<Json>(ownVerdict)(fc.constantFrom(...ownIds())),
      label<Json>(otherVerdict)(victimId ? fc.constant(victimId()) : fc.uuid()),
      label<Json>(otherVerdict)(fc.uuid()),
      judged<Json>(hostileString, (text) => (isUUID(text as string) ? otherVerdict : 'invalid')),
      invalid(nonString),
    );

  const payloadVerdict = (payload: Json): Verdict =>
    Buffer.byteLength(jsonText(payload), 'utf8') > MAX_EVENT_PAYLOAD_BYTES ? 'invalid' : 'valid';
  const payloadValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(
      { weight: 4, arbitrary: judged<Json>(hostileObject, payloadVerdict) },
      { weight: 2, arbitrary: valid<Json>(fc.constantFrom(...OPERATOR_VALUES)) },
      // Nesting is fine up to a point; past it the API may refuse, but must not fall over.
      { weight: 1, arbitrary: either<Json>(deepNesting.map((deep) => new JsonObject([['deep', deep]]))) },
      {
        weight: 3,
        arbitrary: invalid<Json>(fc.oneof(hostileScalar, fc.array(hostileScalar, { maxLength: 3 }), bigArray)),
      },
    );

  const idempotencyKeyValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(
      // Unique (a UUID prefix), so the answer is a 201, never a replay or a conflict.
      valid<Json>(fc.tuple(fc.uuid(), fc.string({ unit: 'binary', maxLength: 100 })).map(([id, tail]) => id + tail)),
      // A key met before answers 200 or 409: a valid key here is "either".
      judged<Json>(hostileString, (text) => (lengthVerdict(1, 200)(text as string) === 'valid' ? 'either' : 'invalid')),
      invalid(nonString),
    );

  const urlValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(
      valid<Json>(
        fc.constantFrom(
          'http://127.0.0.1:9/hook',
          'https://example.com/hooks',
          'https://hooks.example.com:8443/a/b?c=d',
        ),
      ),
      invalid<Json>(
        fc.constantFrom(
          'javascript:alert(1)',
          'file:///etc/passwd',
          'ftp://example.com/x',
          'http://user:pw@example.com/',
          'example.com/hook',
          '',
          'http://',
          `https://example.com/${'a'.repeat(2100)}`,
        ),
      ),
      either<Json>(hostileString),
      invalid(nonString),
    );

  const eventTypesValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(
      valid<Json>(fc.uniqueArray(fc.stringMatching(EVENT_TYPE_PATTERN), { maxLength: 5 })),
      judged<Json>(
        fc.array(fc.oneof(hostileString, fc.constant('invoice.paid')), { minLength: 1, maxLength: 4 }),
        (items) => {
          const texts = items as string[];
          return texts.every((text) => EVENT_TYPE_PATTERN.test(text)) && new Set(texts).size === texts.length
            ? 'valid'
            : 'invalid';
        },
      ),
      invalid<Json>(
        fc.oneof(bigArray, fc.array(fc.constantFrom<Json>(...OPERATOR_VALUES), { minLength: 1, maxLength: 2 })),
      ),
      invalid(hostileValue.filter((value) => !Array.isArray(value))),
    );

  const descriptionValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(
      judged<Json>(hostileString, (text) => lengthVerdict(0, 500)(text as string)),
      invalid(nonString),
    );

  const flagValue = (): fc.Arbitrary<Labelled<Json>> =>
    fc.oneof(valid<Json>(fc.boolean()), invalid(hostileValue.filter((value) => typeof value !== 'boolean')));

  // Values each field accepts, for the "one fault" cases.
  const goodType = valid<Json>(fc.stringMatching(EVENT_TYPE_PATTERN));
  const goodPublishedType = valid<Json>(
    fc.stringMatching(EVENT_TYPE_PATTERN).filter((type) => !isOperationalEventType(type)),
  );
  const goodStatus = valid<Json>(fc.constantFrom(...EVENT_STATUSES));
  const goodDate = valid<Json>(
    fc
      .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString()),
  );
  const goodPayload = judged<Json>(fc.oneof(hostileObject, fc.constantFrom(...OPERATOR_VALUES)), payloadVerdict);
  const goodIdempotencyKey = valid<Json>(fc.uuid());
  const goodUrl = valid<Json>(fc.constantFrom('http://127.0.0.1:9/hook', 'https://example.com/hooks'));
  const goodEventTypes = valid<Json>(fc.uniqueArray(fc.stringMatching(EVENT_TYPE_PATTERN), { maxLength: 5 }));
  const goodDescription = valid<Json>(fc.string({ unit: 'binary', maxLength: 100 }));
  const goodFlag = valid<Json>(fc.boolean());
  const goodOperationalTypes = valid<Json>(
    fc.uniqueArray(fc.constantFrom(...Object.values(OperationalEventType)), { maxLength: 3 }),
  );

  // ---------------------------------------------------------------- query values, with their verdicts

  const integerText = (min: number, max: number): QueryParam => ({
    good: valid(fc.integer({ min, max }).map(String)),
    values: judged(
      fc.oneof(
        fc.integer({ min: min - 5, max: max + 20 }).map(String),
        fc.constantFrom('1e1', '0x10', ' 5', '5.0', '1.5', 'Infinity', '-0', '+7', '0b11', '', '9'.repeat(400)),
        shortString,
      ),
      (text) => {
        const number = Number(text);
        return Number.isInteger(number) && number >= min && number <= max ? 'valid' : 'invalid';
      },
    ),
  });

  const cursorText: QueryParam = {
    good: valid(
      fc
        .tuple(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.uuid())
        .map(([millis, id]) => Buffer.from(`${millis}|${id}`).toString('base64url')),
    ),
    values: judged(
      fc.oneof(
        fc
          .tuple(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.uuid())
          .map(([millis, id]) => Buffer.from(`${millis}|${id}`).toString('base64url')),
        fc.string({ maxLength: 60 }).map((text) => Buffer.from(text).toString('base64url')),
        fc.constantFrom(Buffer.from('9'.repeat(15) + '|' + randomUUID()).toString('base64url')),
        shortString,
      ),
      (text) =>
        lengthOf(text) <= 200 && /^(\d{1,15})\|([0-9a-f-]{36})$/.test(Buffer.from(text, 'base64url').toString('utf8'))
          ? 'valid'
          : 'invalid',
    ),
  };

  const textParam = (values: fc.Arbitrary<Labelled<Json>>, good?: fc.Arbitrary<Labelled<Json>>): QueryParam => ({
    good: good as fc.Arbitrary<Labelled<string>> | undefined,
    values: values.filter(
      (labelled) => typeof labelled.value === 'string' && labelled.value.length <= QUERY_VALUE_CHARS,
    ) as fc.Arbitrary<Labelled<string>>,
  });

  const uuidQuery = (): QueryParam => ({
    good: valid(fc.oneof(fc.uuid(), fc.constantFrom(...own.webhooks))),
    values: judged(fc.oneof(fc.uuid(), fc.constantFrom(...own.webhooks), shortString), (text) =>
      isUUID(text) ? 'valid' : 'invalid',
    ),
  });

  const pageQuery = (): Record<string, QueryParam> => ({ limit: integerText(1, 100), cursor: cursorText });

  // ---------------------------------------------------------------- requests

  const RESERVED_SEGMENTS = ['events', 'retry-jobs', 'retry', '.', '..'];
  /** A path segment: the caller's own ids, the victim's, unknown UUIDs and anything else, encoded. */
  const idSegment = (ownIds: () => string[], ownVerdict: Verdict, victimId: () => string) =>
    fc.oneof(
      { weight: 3, arbitrary: label<string>(ownVerdict)(fc.constantFrom(...ownIds())) },
      { weight: 2, arbitrary: invalid(fc.constant(victimId())) },
      { weight: 2, arbitrary: invalid(fc.uuid()) },
      { weight: 1, arbitrary: either(fc.constantFrom(...ownIds()).map((id) => id.toUpperCase())) },
      {
        weight: 4,
        arbitrary: invalid(
          hostileString
            .filter(
              (text) => text.length > 0 && text.length <= 600 && !isUUID(text) && !RESERVED_SEGMENTS.includes(text),
            )
            .map(percentEncode),
        ),
      },
      { weight: 1, arbitrary: invalid(brokenPercent) },
    );

  /** A route's path around an id segment (see idSegment), keeping the segment's verdict. */
  const idPath = (
    ownIds: () => string[],
    ownVerdict: Verdict,
    victimId: () => string,
    pathOf: (id: string) => string,
  ) => idSegment(ownIds, ownVerdict, victimId).map((segment) => ({ ...segment, value: pathOf(segment.value) }));

  const fixedPath = (path: string) => valid(fc.constant(path));

  /** Authorization: mostly the attacker's own token, sometimes anything else (a 401). */
  const authorization = (): fc.Arbitrary<Labelled<string | null>> =>
    fc.oneof(
      { weight: 12, arbitrary: valid<string | null>(fc.constant(attacker.auth.Authorization)) },
      {
        weight: 2,
        arbitrary: invalid<string | null>(
          fc.oneof(
            headerValue,
            fc.constantFrom(
              'Bearer',
              'Bearer ',
              'bearer  x',
              'Basic dXNlcjpwYXNz',
              `Bearer ${attacker.token}x`,
              `Bearer ${victim.token.slice(0, -1)}`,
              `Bearer ${attacker.token.replace(/_[^_]*$/, '_')}`,
              `Bearer {"$ne":null}`,
              `Bearer whk_${'a'.repeat(5000)}`,
            ),
            headerValue.map((text) => `Bearer ${text}`),
          ),
        ),
      },
      { weight: 1, arbitrary: invalid<string | null>(fc.constant(null)) },
    );

  const EXTRA_HEADER_NAMES = [
    'x-fuzz',
    'x-forwarded-for',
    'x-http-method-override',
    'accept',
    'accept-language',
    'if-none-match',
    'cookie',
    'origin',
    'x-tenant-id',
    'x-request-id',
    'range',
  ];
  const extraHeaders = fc.array(fc.tuple(fc.constantFrom(...EXTRA_HEADER_NAMES), headerValue), { maxLength: 2 });

  type WireBody = { body?: Buffer; headers: Record<string, string> };
  type BodyMode = { fields: Record<string, FieldSpec>; required: boolean } | 'ignored';

  /** How the body goes on the wire: JSON as it should, or garbage, a wrong Content-Type or encoding. */
  const wireBody = (mode: BodyMode): fc.Arbitrary<Labelled<{ body?: Buffer; headers: Record<string, string> }>> => {
    const object: fc.Arbitrary<Labelled<JsonObject>> = mode === 'ignored' ? valid(hostileObject) : bodyOf(mode.fields);
    const emptyVerdict: Verdict = mode !== 'ignored' && mode.required ? 'invalid' : 'valid';
    const asJson = fc
      .tuple(
        object,
        fc.constantFrom<[string, Verdict]>(
          ['application/json', 'valid'],
          ['application/json', 'valid'],
          ['application/json; charset=utf-8', 'valid'],
          ['application/vnd.api+json', 'valid'],
          ['Application/JSON', 'either'],
        ),
      )
      .map(([labelled, [contentType, typeVerdict]]) => ({
        value: { body: Buffer.from(jsonText(labelled.value)), headers: { 'content-type': contentType } },
        verdict: combine(labelled.verdict, typeVerdict),
      }));
    return fc.oneof(
      { weight: 12, arbitrary: asJson },
      {
        weight: 1,
        // A route that reads no body may take a JSON array or scalar; unparsable bytes are a 400 anywhere.
        arbitrary: label<WireBody>(mode === 'ignored' ? 'either' : 'invalid')(
          garbageBody.map((body) => ({ body, headers: { 'content-type': 'application/json' } })),
        ),
      },
      {
        weight: 1,
        arbitrary: either(invalidUtf8Body.map((body) => ({ body, headers: { 'content-type': 'application/json' } }))),
      },
      {
        weight: 1,
        arbitrary: invalid(
          fc
            .tuple(
              object,
              fc.constantFrom(
                'text/plain',
                'application/x-www-form-urlencoded',
                'multipart/form-data; boundary=x',
                'application/json; charset=utf-16',
                'application/json; charset=latin1',
                'application/xml',
                '',
              ),
            )
            .map(([labelled, contentType]) => ({
              body: Buffer.from(jsonText(labelled.value)),
              headers: contentType ? { 'content-type': contentType } : ({} as Record<string, string>),
            })),
        ),
      },
      {
        weight: 1,
        arbitrary: invalid(
          fc.tuple(object, fc.constantFrom('gzip', 'deflate', 'br', 'x-unknown')).map(([labelled, encoding]) => ({
            body: Buffer.from(jsonText(labelled.value)),
            headers: { 'content-type': 'application/json', 'content-encoding': encoding },
          })),
        ),
      },
      {
        weight: 1,
        arbitrary: label<{ body?: Buffer; headers: Record<string, string> }>(emptyVerdict)(
          fc.constant({ headers: {} }),
        ),
      },
    );
  };

  interface V1Spec {
    method: string;
    path: fc.Arbitrary<Labelled<string>>;
    query?: Record<string, QueryParam>;
    body?: BodyMode;
  }

  const v1Route = (name: string, runs: number, spec: () => V1Spec): RouteFuzz => ({
    name,
    runs,
    envelope: true,
    get cases() {
      const { method, path, query, body } = spec();
      return fc
        .record({
          path,
          query: queryOf(query),
          auth: authorization(),
          extra: extraHeaders,
          body: body
            ? wireBody(body)
            : fc.constant({
                value: { headers: {} } as { body?: Buffer; headers: Record<string, string> },
                verdict: 'valid' as Verdict,
              }),
        })
        .map(({ path: labelledPath, query: labelledQuery, auth, extra, body: labelledBody }): FuzzCase => {
          const headers: Record<string, string> = { ...Object.fromEntries(extra), ...labelledBody.value.headers };
          if (auth.value !== null) headers.authorization = auth.value;
          const bodyBytes = labelledBody.value.body;
          const tooLarge: Verdict = bodyBytes && bodyBytes.length > BODY_LIMIT_BYTES ? 'invalid' : 'valid';
          return {
            request: {
              method,
              path: labelledQuery.value ? `${labelledPath.value}?${labelledQuery.value}` : labelledPath.value,
              headers,
              body: bodyBytes,
            },
            verdict: combine(labelledPath.verdict, labelledQuery.verdict, auth.verdict, labelledBody.verdict, tooLarge),
          };
        });
    },
  });

  const ownEvents = () => own.events;
  const ownWebhooks = () => own.webhooks;

  const routes: RouteFuzz[] = [
    {
      name: 'public: GET /health, /ready, /docs-json',
      runs: 400,
      envelope: false,
      get cases() {
        return fc
          .record({
            path: fc.constantFrom('/health', '/ready', '/docs-json'),
            query: queryOf(undefined),
            extra: extraHeaders,
            auth: fc.option(headerValue),
          })
          .map(({ path, query, extra, auth }) => ({
            request: {
              method: 'GET',
              path: query.value ? `${path}?${query.value}` : path,
              headers: { ...Object.fromEntries(extra), ...(auth === null ? {} : { authorization: auth }) },
            },
            verdict: 'valid' as Verdict,
          }));
      },
    },
    {
      name: 'console: GET /console/*path',
      runs: 300,
      envelope: false,
      get cases() {
        return fc
          .array(
            fc.oneof(
              hostileString.filter((text) => text.length <= 300).map(percentEncode),
              brokenPercent,
              fc.constantFrom('assets', 'index.html', 'x.js', '..', '%2e%2e'),
            ),
            { maxLength: 3 },
          )
          .map((segments) => ({
            request: { method: 'GET', path: `/console/${segments.join('/')}`, headers: {} },
            verdict: 'either' as Verdict,
          }));
      },
    },
    {
      name: 'unknown routes and methods',
      runs: 300,
      envelope: false,
      get cases() {
        return fc
          .oneof(
            fc.tuple(
              fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
              hostileString.filter((text) => text.length <= 300).map((text) => `/v1/zz-${percentEncode(text)}`),
            ),
            fc.tuple(
              fc.constant('PUT'),
              fc.constantFrom('/v1/webhooks', '/v1/webhooks/events', '/v1/stats/deliveries-per-minute'),
            ),
            fc.tuple(fc.constant('DELETE'), fc.constantFrom('/v1/webhooks/events', '/v1/stats/webhook-success-rates')),
            fc.tuple(
              fc.constant('POST'),
              fc.constantFrom('/v1/stats/deliveries-per-minute', '/health', '/v1/webhooks/retry-jobs/x'),
            ),
          )
          .map(([method, path]) => ({
            request: { method, path, headers: { authorization: attacker.auth.Authorization } },
            verdict: 'invalid' as Verdict,
          }));
      },
    },
    v1Route('POST /v1/webhooks/events/retry (bulk retry)', 700, () => ({
      method: 'POST',
      path: fixedPath('/v1/webhooks/events/retry'),
      body: {
        required: false,
        fields: {
          // The caller's webhooks may have been disabled by the PATCH fuzzing: 202 or 409.
          webhookId: {
            nullMeansAbsent: true,
            values: uuidValue(ownWebhooks, 'either', 'invalid', () => victimIds.webhook),
          },
          status: { nullMeansAbsent: true, values: statusValue(), good: goodStatus },
          type: { nullMeansAbsent: true, values: typeValue(), good: goodType },
          from: { nullMeansAbsent: true, values: dateValue(), good: goodDate },
          to: { nullMeansAbsent: true, values: dateValue(), good: goodDate },
        },
      },
    })),
    v1Route('GET /v1/webhooks/retry-jobs/:jobId', 400, () => ({
      method: 'GET',
      path: idPath(
        () => own.jobs,
        'valid',
        () => victimIds.job,
        (id) => `/v1/webhooks/retry-jobs/${id}`,
      ),
    })),
    v1Route('GET /v1/webhooks/retry-jobs', 400, () => ({
      method: 'GET',
      path: fixedPath('/v1/webhooks/retry-jobs'),
      query: pageQuery(),
    })),
    v1Route('POST /v1/webhooks/retry-jobs/:jobId/cancel', 400, () => ({
      method: 'POST',
      // The attacker's own jobs have ended: cancelling one is refused (409).
      path: idPath(
        () => own.jobs,
        'either',
        () => victimIds.job,
        (id) => `/v1/webhooks/retry-jobs/${id}/cancel`,
      ),
      body: 'ignored',
    })),
    v1Route('POST /v1/webhooks/events', 1000, () => ({
      method: 'POST',
      path: fixedPath('/v1/webhooks/events'),
      body: {
        required: true,
        fields: {
          type: { required: true, values: publishedTypeValue(), good: goodPublishedType },
          payload: { required: true, values: payloadValue(), good: goodPayload },
          idempotencyKey: { values: idempotencyKeyValue(), good: goodIdempotencyKey },
        },
      },
    })),
    v1Route('GET /v1/webhooks/events', 900, () => ({
      method: 'GET',
      path: fixedPath('/v1/webhooks/events'),
      query: {
        ...pageQuery(),
        status: textParam(statusValue(), goodStatus),
        type: textParam(typeValue(), goodType),
        from: { values: judged(dateText, dateVerdict), good: goodDate as fc.Arbitrary<Labelled<string>> },
        to: { values: judged(dateText, dateVerdict), good: goodDate as fc.Arbitrary<Labelled<string>> },
      },
    })),
    v1Route('GET /v1/webhooks/events/:eventId', 500, () => ({
      method: 'GET',
      path: idPath(
        ownEvents,
        'valid',
        () => victimIds.event,
        (id) => `/v1/webhooks/events/${id}`,
      ),
    })),
    v1Route('GET /v1/webhooks/events/:eventId/status', 500, () => ({
      method: 'GET',
      path: idPath(
        ownEvents,
        'valid',
        () => victimIds.event,
        (id) => `/v1/webhooks/events/${id}/status`,
      ),
    })),
    v1Route('GET /v1/webhooks/events/:eventId/logs', 700, () => ({
      method: 'GET',
      path: idPath(
        ownEvents,
        'valid',
        () => victimIds.event,
        (id) => `/v1/webhooks/events/${id}/logs`,
      ),
      query: {
        ...pageQuery(),
        webhookId: uuidQuery(),
        success: {
          good: valid(fc.constantFrom('true', 'false')),
          values: judged(
            fc.oneof(fc.constantFrom('true', 'false', '1', '0', 'TRUE', 'yes', ''), shortString),
            (text) => (text === 'true' || text === 'false' ? 'valid' : 'invalid'),
          ),
        },
      },
    })),
    v1Route('POST /v1/webhooks/events/:eventId/retry', 800, () => ({
      method: 'POST',
      path: idPath(
        ownEvents,
        'valid',
        () => victimIds.event,
        (id) => `/v1/webhooks/events/${id}/retry`,
      ),
      body: {
        required: false,
        fields: {
          webhookId: {
            nullMeansAbsent: true,
            values: uuidValue(ownWebhooks, 'either', 'invalid', () => victimIds.webhook),
          },
        },
      },
    })),
    v1Route('POST /v1/webhooks', 900, () => ({
      method: 'POST',
      path: fixedPath('/v1/webhooks'),
      body: {
        required: true,
        fields: {
          url: { required: true, values: urlValue(), good: goodUrl },
          eventTypes: { values: eventTypesValue(), good: goodEventTypes },
          description: { values: descriptionValue(), good: goodDescription },
          active: { values: flagValue(), good: goodFlag },
          fifo: { values: flagValue(), good: goodFlag },
        },
      },
    })),
    v1Route('GET /v1/webhooks', 500, () => ({ method: 'GET', path: fixedPath('/v1/webhooks'), query: pageQuery() })),
    v1Route('GET /v1/webhooks/:webhookId', 400, () => ({
      method: 'GET',
      path: idPath(
        ownWebhooks,
        'valid',
        () => victimIds.webhook,
        (id) => `/v1/webhooks/${id}`,
      ),
    })),
    v1Route('PATCH /v1/webhooks/:webhookId', 900, () => ({
      method: 'PATCH',
      path: idPath(
        ownWebhooks,
        'valid',
        () => victimIds.webhook,
        (id) => `/v1/webhooks/${id}`,
      ),
      body: {
        required: false,
        fields: {
          url: { values: urlValue(), good: goodUrl },
          eventTypes: { values: eventTypesValue(), good: goodEventTypes },
          description: { values: descriptionValue(), good: goodDescription },
          active: { values: flagValue(), good: goodFlag },
          fifo: { values: flagValue(), good: goodFlag },
        },
      },
    })),
    v1Route('POST /v1/webhooks/:webhookId/secret/rotate', 400, () => ({
      method: 'POST',
      // A second rotation within the grace period may be refused (409).
      path: idPath(
        ownWebhooks,
        'either',
        () => victimIds.webhook,
        (id) => `/v1/webhooks/${id}/secret/rotate`,
      ),
      body: 'ignored',
    })),
    v1Route('GET /v1/stats/deliveries-per-minute', 500, () => ({
      method: 'GET',
      path: fixedPath('/v1/stats/deliveries-per-minute'),
      query: { hours: integerText(1, 24), webhookId: uuidQuery() },
    })),
    v1Route('GET /v1/stats/webhook-success-rates', 600, () => ({
      method: 'GET',
      path: fixedPath('/v1/stats/webhook-success-rates'),
      query: {
        webhookIds: {
          required: true,
          repeated: 'either',
          good: valid(
            fc
              .uniqueArray(fc.oneof(fc.uuid(), fc.constantFrom(...own.webhooks)), { minLength: 1, maxLength: 5 })
              .map((ids) => ids.join(',')),
          ),
          values: judged(
            fc.oneof(
              fc
                .uniqueArray(fc.oneof(fc.uuid(), fc.constantFrom(...own.webhooks)), { minLength: 1, maxLength: 5 })
                .map((ids) => ids.join(',')),
              fc.array(fc.uuid(), { minLength: 101, maxLength: 101 }).map((ids) => ids.join(',')),
              fc.constantFrom(own.webhooks[0]).map((id) => `${id},${id}`),
              fc.constantFrom(own.webhooks[0]).map((id) => ` ${id} ,`),
              shortString,
            ),
            (text) => {
              const ids = text.split(',').map((id) => id.trim());
              return ids.length >= 1 &&
                ids.length <= 100 &&
                ids.every((id) => isUUID(id)) &&
                new Set(ids).size === ids.length
                ? 'valid'
                : 'invalid';
            },
          ),
        },
      },
    })),
    v1Route('POST /v1/operational-webhooks', 600, () => ({
      method: 'POST',
      path: fixedPath('/v1/operational-webhooks'),
      body: {
        required: true,
        fields: {
          url: { required: true, values: urlValue(), good: goodUrl },
          eventTypes: { values: operationalTypesValue(), good: goodOperationalTypes },
          description: { values: descriptionValue(), good: goodDescription },
        },
      },
    })),
    v1Route('GET /v1/operational-webhooks', 400, () => ({
      method: 'GET',
      path: fixedPath('/v1/operational-webhooks'),
      query: pageQuery(),
    })),
    v1Route('GET /v1/operational-webhooks/:webhookId', 400, () => ({
      method: 'GET',
      path: idPath(
        () => own.operational,
        'valid',
        () => victimIds.operational,
        (id) => `/v1/operational-webhooks/${id}`,
      ),
    })),
    v1Route('DELETE /v1/operational-webhooks/:webhookId', 300, () => ({
      method: 'DELETE',
      path: idPath(
        () => own.operational,
        'either',
        () => victimIds.operational,
        (id) => `/v1/operational-webhooks/${id}`,
      ),
    })),
    // Last: it deletes the caller's webhooks, which the routes above use.
    v1Route('DELETE /v1/webhooks/:webhookId', 400, () => ({
      method: 'DELETE',
      path: idPath(
        ownWebhooks,
        'either',
        () => victimIds.webhook,
        (id) => `/v1/webhooks/${id}`,
      ),
    })),
  ];

  /** Why an answer breaks the contract, or undefined when it keeps it. */
  const violation = (route: RouteFuzz, fuzzCase: FuzzCase, answer: FuzzAnswer): string | undefined => {
    const { status } = answer;
    // Node itself refuses a request line and headers over 16 KiB, before the app sees them.
    const headerChars = Object.values(fuzzCase.request.headers).reduce((sum, value) => sum + value.length, 0);
    if (status === 431 && fuzzCase.request.path.length + headerChars > MAX_URL_CHARS) return undefined;
    if (status >= 500) return `server error ${status}`;
    if (fuzzCase.verdict === 'invalid' && (status < 400 || status > 499)) return `expected a 4xx, got ${status}`;
    // A conditional GET (If-None-Match) may be answered 304 Not Modified.
    const notModified = status === 304 && 'if-none-match' in fuzzCase.request.headers;
    if (fuzzCase.verdict === 'valid' && (status < 200 || status > 299) && !notModified) {
      return `expected a 2xx, got ${status}`;
    }
    if (status >= 400) {
      const body = answer.json as { message?: unknown } | undefined;
      if (!body || typeof body !== 'object' || Array.isArray(body)) return 'error body is not a JSON object';
      if (Object.keys(body).join() !== 'message') return `error body has keys ${Object.keys(body).join()}`;
      if (typeof body.message !== 'string' || body.message.trim() === '')
        return 'error message is not a non-empty string';
    }
    if (status >= 200 && status < 300) {
      if (route.envelope) {
        const body = answer.json as { success?: unknown; data?: unknown } | undefined;
        if (!body || body.success !== true || !('data' in body)) return 'success body is not the envelope';
      }
      const leaked = victimMarkers.find((marker) => answer.text.includes(marker));
      if (leaked) return `the answer shows the other tenant's data (${leaked})`;
    }
    return undefined;
  };

  /** fast-check prints counterexamples with this: a short request line instead of megabytes of body. */
  const printable = (fuzzCase: FuzzCase): FuzzCase =>
    Object.assign(fuzzCase, { [fc.toStringMethod]: () => `${fuzzCase.verdict}: ${describeRequest(fuzzCase.request)}` });

  const caseCount = routes.reduce((sum, route) => sum + Math.max(1, Math.round(route.runs * SCALE)), 0);

  it.each(routes.map((route) => [route.name, route] as const))('%s', async (_name, route) => {
    const tally: Tally = { cases: 0, ok: 0, clientErrors: 0, serverErrors: 0 };
    tallies.set(route.name, tally);
    await fc.assert(
      fc.asyncProperty(route.cases.map(printable), async (fuzzCase) => {
        const answer = await client.send(fuzzCase.request);
        tally.cases += 1;
        if (answer.status >= 500) tally.serverErrors += 1;
        else if (answer.status >= 400) tally.clientErrors += 1;
        else tally.ok += 1;
        const problem = violation(route, fuzzCase, answer);
        if (problem) {
          throw new Error(
            `${problem} (verdict ${fuzzCase.verdict})\n  request: ${describeRequest(fuzzCase.request)}\n  answer: ${answer.status} ${answer.text.slice(0, 300)}`,
          );
        }
      }),
      { numRuns: Math.max(1, Math.round(route.runs * SCALE)), seed: SEED, endOnFailure: true },
    );
  });

  it('never polluted a prototype, stored an operator, or touched the other tenant', async () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);

    const tenants = new Set([attacker.tenantId, victim.tenantId]);
    const operatorKeys: string[] = [];
    const strangers: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${path}[${index}]`));
      else if (
        value &&
        typeof value === 'object' &&
        !(value instanceof Date) &&
        !Buffer.isBuffer(value) &&
        !('_bsontype' in value)
      ) {
        for (const [key, item] of Object.entries(value)) {
          if (key.startsWith('$')) operatorKeys.push(`${path}.${key}`);
          walk(item, `${path}.${key}`);
        }
      }
    };
    for (const { name } of await connection.db!.listCollections().toArray()) {
      for (const document of await connection.db!.collection(name).find({}).toArray()) {
        walk(document, `${name}/${String(document._id)}`);
        if ('tenantId' in document && !tenants.has(document.tenantId as string))
          strangers.push(`${name}/${String(document._id)}`);
      }
    }
    expect(operatorKeys).toEqual([]);
    expect(strangers).toEqual([]);
    expect(await tenantData(victim.tenantId)).toEqual(victimSnapshot);

    const total = [...tallies.values()].reduce(
      (sum, tally) => ({
        cases: sum.cases + tally.cases,
        ok: sum.ok + tally.ok,
        clientErrors: sum.clientErrors + tally.clientErrors,
        serverErrors: sum.serverErrors + tally.serverErrors,
      }),
      { cases: 0, ok: 0, clientErrors: 0, serverErrors: 0 },
    );
    console.log(
      `api fuzz: ${total.cases} cases (${total.ok} 2xx, ${total.clientErrors} 4xx), ${total.serverErrors} server errors; ` +
        `planned ${caseCount}\n` +
        [...tallies]
          .map(
            ([name, tally]) =>
              `  ${name}: ${tally.cases} cases, ${tally.ok} 2xx, ${tally.clientErrors} 4xx, ${tally.serverErrors} 5xx`,
          )
          .join('\n'),
    );
    expect(total.serverErrors).toBe(0);
    expect(total.cases).toBe(caseCount);
  });
});
