import fc from 'fast-check';
import { Agent, request } from 'node:http';
import { AddressInfo, Server } from 'node:net';
import { jsonText, Json, JsonObject, OPERATOR_KEYS, percentEncode, PROTO_KEYS } from './fuzz-values';

/**
 * What the API must answer to a generated request: `valid` input gets a 2xx, `invalid` input a 4xx, and
 * `either` is hostile input the API may legitimately accept or refuse. Nothing ever gets a 5xx.
 */
export type Verdict = 'valid' | 'invalid' | 'either';

export const combine = (...verdicts: Verdict[]): Verdict =>
  verdicts.includes('invalid') ? 'invalid' : verdicts.includes('either') ? 'either' : 'valid';

export interface Labelled<T> {
  value: T;
  verdict: Verdict;
}

export const label =
  <T>(verdict: Verdict) =>
  (arbitrary: fc.Arbitrary<T>): fc.Arbitrary<Labelled<T>> =>
    arbitrary.map((value) => ({ value, verdict }));

export const valid = <T>(arbitrary: fc.Arbitrary<T>) => label<T>('valid')(arbitrary);
export const invalid = <T>(arbitrary: fc.Arbitrary<T>) => label<T>('invalid')(arbitrary);
export const either = <T>(arbitrary: fc.Arbitrary<T>) => label<T>('either')(arbitrary);

/** Labels each generated value with the verdict `judge` gives it. */
export const judged = <T>(arbitrary: fc.Arbitrary<T>, judge: (value: T) => Verdict): fc.Arbitrary<Labelled<T>> =>
  arbitrary.map((value) => ({ value, verdict: judge(value) }));

export interface FieldSpec {
  required?: boolean;
  /** @IsOptional fields take null for absent; the webhook fields (ValidateIf) refuse it. */
  nullMeansAbsent?: boolean;
  values: fc.Arbitrary<Labelled<Json>>;
  /** Values the field accepts: cases with every other field valid pin a failure on one field. */
  good?: fc.Arbitrary<Labelled<Json>>;
}

/**
 * A JSON object body: each field absent or given a labelled value, plus sometimes keys the DTO does not
 * know (operators: refused by the strict pipe; prototype keys: dropped by class-transformer, so either).
 */
export function bodyOf(fields: Record<string, FieldSpec>): fc.Arbitrary<Labelled<JsonObject>> {
  const names = Object.keys(fields);
  // Half the cases are "one fault": every field valid (or absent) but one, which may be anything.
  const perField = names.map((name) =>
    fc
      .tuple(
        fc.option(fields[name].values, { freq: 4 }),
        fc.option(fields[name].good ?? fields[name].values, { freq: 4 }),
      )
      .map(([any, good]): [string, Labelled<Json> | null, Labelled<Json> | null] => [name, any, good]),
  );
  const unknownKey: fc.Arbitrary<Labelled<string>> = fc.oneof(
    invalid(fc.constantFrom(...OPERATOR_KEYS)),
    invalid(
      fc
        .string({ unit: 'binary', minLength: 1, maxLength: 10 })
        .filter((key) => !names.includes(key) && !PROTO_KEYS.includes(key)),
    ),
    either(fc.constantFrom(...PROTO_KEYS)),
  );
  const extras = fc.array(fc.tuple(unknownKey, fc.constantFrom<Json>(1, 'x', null)), { maxLength: 2 });
  return fc
    .tuple(fc.tuple(...perField), fc.option(extras, { freq: 3, nil: [] }), fc.option(fc.nat({ max: names.length })))
    .map(([options, extra, faulty]) => {
      const entries: [string, Json][] = [];
      const verdicts: Verdict[] = [];
      const chosen = options.map(
        ([name, any, good], index) => [name, faulty === null || faulty === index ? any : good] as const,
      );
      if (faulty !== null) extra = [];
      for (const [name, labelled] of chosen) {
        if (labelled === null) {
          if (fields[name].required) verdicts.push('invalid');
          continue;
        }
        entries.push([name, labelled.value]);
        verdicts.push(labelled.value === null && fields[name].nullMeansAbsent ? 'valid' : labelled.verdict);
      }
      for (const [key, value] of extra) {
        entries.push([key.value, value]);
        verdicts.push(key.verdict);
      }
      return { value: new JsonObject(entries), verdict: combine(...verdicts) };
    });
}

export interface QueryParam {
  values: fc.Arbitrary<Labelled<string>>;
  /** Values the param accepts (see FieldSpec.good). */
  good?: fc.Arbitrary<Labelled<string>>;
  required?: boolean;
  /** Verdict for the key repeated (Express then hands the DTO an array); invalid unless said otherwise. */
  repeated?: Verdict;
}

/**
 * A query string: known params with labelled values (sometimes repeated), plus bracketed operator keys
 * (`status[$ne]=x`), prototype keys and unknown keys, every character percent-encoded as a client might.
 * `params` undefined: the route reads no query, so anything goes (valid).
 */
export function queryOf(params: Record<string, QueryParam> | undefined): fc.Arbitrary<Labelled<string>> {
  const names = Object.keys(params ?? {});
  const known = (faulty: boolean) =>
    names.map((name) =>
      fc
        .option(
          fc.tuple(
            faulty ? params![name].values : (params![name].good ?? params![name].values),
            // The key repeated (an array for the DTO) in one faulty case in six, never in the good ones.
            faulty
              ? fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: params![name].values })
              : fc.constant(null),
          ),
          { freq: 3 },
        )
        .map((chosen): Labelled<[string, string][]> => {
          if (chosen === null) return { value: [], verdict: params![name].required ? 'invalid' : 'valid' };
          const [first, second] = chosen;
          if (second === null) return { value: [[name, first.value]], verdict: first.verdict };
          return {
            value: [
              [name, first.value],
              [name, second.value],
            ],
            verdict: params![name].repeated ?? 'invalid',
          };
        }),
    );
  const unknownVerdict: Verdict = params ? 'invalid' : 'valid';
  const operatorKey = fc
    .tuple(
      fc.constantFrom(...(names.length > 0 ? names : ['status'])),
      fc.constantFrom('[$ne]', '[$gt]', '[$where]', '[]', '[$regex]', '.$ne'),
    )
    .map(([name, suffix]) => name + suffix);
  const unknown: fc.Arbitrary<Labelled<[string, string]>> = fc.oneof(
    label<[string, string]>(unknownVerdict)(fc.tuple(operatorKey, fc.constantFrom('x', '', '1', 'pending'))),
    label<[string, string]>(unknownVerdict)(
      fc.tuple(
        fc
          .string({ unit: 'binary', minLength: 1, maxLength: 12 })
          .filter((key) => !names.includes(key) && !PROTO_KEYS.includes(key)),
        fc.string({ maxLength: 5 }),
      ),
    ),
    either(
      fc.tuple(
        fc.constantFrom(...PROTO_KEYS, 'constructor[prototype][polluted]', '__proto__[polluted]'),
        fc.constantFrom('1', 'x'),
      ),
    ),
  );
  // Half the cases take only good values (required params sometimes absent), so valid queries are common.
  const queries = fc.oneof(
    fc.tuple(fc.tuple(...known(true)), fc.array(unknown, { maxLength: 2 }), fc.boolean()),
    fc.tuple(fc.tuple(...known(false)), fc.constant([] as Labelled<[string, string]>[]), fc.boolean()),
  );
  return queries.map(([chosen, extra, shuffle]) => {
    const pairs = [...chosen.flatMap((entry) => entry.value), ...extra.map((entry) => entry.value)];
    if (shuffle) pairs.reverse();
    return {
      value: pairs.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&'),
      verdict: combine(...chosen.map((entry) => entry.verdict), ...extra.map((entry) => entry.verdict)),
    };
  });
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface FuzzAnswer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

/** A keep-alive HTTP client for the in-process API, with byte-exact control over path, headers and body. */
export class FuzzClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(private readonly server: Server) {}

  send({ method, path, headers, body }: FuzzRequest): Promise<FuzzAnswer> {
    const { port } = this.server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent: this.agent,
          headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const contentType = String(response.headers['content-type'] ?? '');
            let json: unknown;
            if (contentType.includes('json')) {
              try {
                json = JSON.parse(text);
              } catch {
                json = undefined;
              }
            }
            resolve({ status: response.statusCode ?? 0, contentType, text, json });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A short, printable account of a request, for failure messages. */
export function describeRequest({ method, path, headers, body }: FuzzRequest): string {
  const shownBody = body
    ? body.subarray(0, 300).toString('utf8') + (body.length > 300 ? `… (${body.length} bytes)` : '')
    : '';
  const shownPath = path.length > 300 ? `${path.slice(0, 300)}… (${path.length} chars)` : path;
  const shownHeaders = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      name === 'authorization' ? value.slice(0, 12) + '…' : value.slice(0, 80),
    ]),
  );
  return `${method} ${shownPath} ${JSON.stringify(shownHeaders)} ${shownBody}`;
}

export { jsonText };
