import fc from 'fast-check';

/**
 * Hostile JSON for property-based fuzzing. Values are built as JSON text, not JavaScript objects, so a
 * generated body can hold what JSON.stringify would never write: `__proto__` keys, duplicate keys,
 * numbers beyond double range, nesting deeper than the engine's stack.
 */
export type Json = null | boolean | number | string | Json[] | JsonObject | RawJson;

/** An object as an ordered list of entries, so `__proto__` is an ordinary key here. */
export class JsonObject {
  constructor(readonly entries: [string, Json][]) {}
}

/** Literal JSON text, e.g. `1e999` or 50,000 nested arrays. */
export class RawJson {
  constructor(readonly text: string) {}
}

export function jsonText(value: Json): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof JsonObject) {
    return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  return JSON.stringify(value);
}

export const object = (fields: Record<string, Json>): JsonObject => new JsonObject(Object.entries(fields));

/** Query operators an injection would try, as values of any field. */
export const OPERATOR_VALUES: JsonObject[] = [
  object({ $gt: '' }),
  object({ $ne: null }),
  object({ $where: 'sleep(100) || true' }),
  object({ $regex: '.*' }),
  object({ $in: ['pending', 'failed'] }),
  object({ $exists: true }),
  object({ $expr: object({ $eq: [1, 1] }) }),
  object({ $or: [object({}), object({ tenantId: object({ $ne: '' }) })] }),
];

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
export const OPERATOR_KEYS = ['$where', '$gt', '$ne', '$set', '$or', '$regex', 'tenantId', '_id', 'a.b'];

/** Strings that broke parsers, encoders or databases before. */
export const SPECIAL_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'a\uDC00\uD800b',
  '\uFEFF',
  '\u202E',
  '😀',
  '\u0085',
  '$where',
  '{"$gt":""}',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00',
  '%',
  '%zz',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e999',
  'true',
  '<script>alert(1)</script>',
];

/** Lengths just past every limit in the API (128, 200, 500, 2048) and far past them. */
const LONG_LENGTHS = [129, 201, 501, 2049, 10_000, 100_000, 400_000];

export const longString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...LONG_LENGTHS), fc.constantFrom('x', 'é', '\u0000', '😀', '\uD800'))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

/** Short strings over the whole code-point range, lone surrogates included. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 3, arbitrary: anyString },
  { weight: 1, arbitrary: longString },
);

const hugeNumbers = ['1e999', '-1e999', '1e-999', '123456789012345678901234567890', '-0', '0.0000001'];

export const hostileNumber: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...hugeNumbers).map((text) => new RawJson(text)),
  fc.constantFrom(0, -1, 1.5, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER),
);

/** Nesting deep enough to overflow any recursive walker (the body limit caps it at ~160,000). */
export const deepNesting: fc.Arbitrary<Json> = fc
  .tuple(fc.constantFrom(64, 200, 1_000, 10_000, 100_000), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? new RawJson('['.repeat(depth) + ']'.repeat(depth))
      : new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  );

export const bigArray: fc.Arbitrary<Json> = fc
  .tuple(fc.constantFrom(101, 1_000, 30_000), fc.constantFrom('"invoice.paid"', '1', '{}', 'null'))
  .map(([length, item]) => new RawJson(`[${Array(length).fill(item).join(',')}]`));

export const hostileScalar: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTO_KEYS, ...OPERATOR_KEYS),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

const shallowValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: hostileScalar },
  { weight: 2, arbitrary: fc.constantFrom(...OPERATOR_VALUES) },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 4 }) },
);

/** An object of hostile keys and values: operators, prototype keys, odd unicode, one or two levels deep. */
export const hostileObject: fc.Arbitrary<JsonObject> = fc
  .array(
    fc.tuple(
      hostileKey,
      fc.oneof(
        shallowValue,
        fc.array(fc.tuple(hostileKey, shallowValue), { maxLength: 3 }).map((entries) => new JsonObject(entries)),
      ),
    ),
    {
      maxLength: 5,
    },
  )
  .map((entries) => new JsonObject(entries));

/** Anything at all: what a fuzzer puts where a field of one type is expected. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 6, arbitrary: hostileScalar },
  { weight: 3, arbitrary: fc.constantFrom(...OPERATOR_VALUES) },
  { weight: 2, arbitrary: hostileObject },
  { weight: 2, arbitrary: fc.array(shallowValue, { maxLength: 5 }) },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: bigArray },
);

/** Bodies that are not a JSON object at all. */
export const garbageBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc
    .constantFrom(
      '{',
      '{"type":',
      '{"a":1,}',
      "{'a':1}",
      'null',
      'true',
      '42',
      '"text"',
      '[]',
      '[{"type":"a"}]',
      'NaN',
      '{"a":undefined}',
    )
    .map((text) => Buffer.from(text)),
);

/**
 * Invalid UTF-8 inside a JSON string (a raw surrogate ED A0 80, an overlong slash C0 AF, FF FE): the
 * parser decodes it to U+FFFD, so such a body may well be accepted.
 */
export const invalidUtf8Body: fc.Arbitrary<Buffer> = fc
  .constantFrom([0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xff, 0xfe])
  .map((bytes) => Buffer.concat([Buffer.from('{"type":"'), Buffer.from(bytes), Buffer.from('","payload":{}}')]));

/**
 * Percent-encodes every UTF-16 code point as UTF-8 bytes, including lone surrogates (as the invalid
 * byte sequences ED A0 80 and the like), so a path or query can carry anything a client could send.
 */
export function percentEncode(text: string): string {
  let encoded = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (/^[A-Za-z0-9\-._~]$/.test(char)) {
      encoded += char;
      continue;
    }
    for (const byte of utf8Bytes(code)) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

function utf8Bytes(code: number): number[] {
  if (code < 0x80) return [code];
  if (code < 0x800) return [0xc0 | (code >> 6), 0x80 | (code & 0x3f)];
  if (code < 0x10000) return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
  return [0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
}

/** Percent sequences that do not decode: a bare `%`, non-hex digits, overlong and truncated UTF-8. */
export const brokenPercent = fc.constantFrom('%', '%zz', '%C0%AF', '%ED%A0%80', '%FF', '%E2%82', 'a%', '%%41');

/** Header values a client can put on the wire (Node refuses CR, LF and characters beyond latin1). */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 60 }),
  fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 20 }),
  fc.constantFrom('$where', '{"$gt":""}', '__proto__', '\t', 'x'.repeat(4_000)),
);
