import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth';

const nestedArrays = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
const nestedObjects = (depth: number): unknown => JSON.parse('{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1));

describe('exceedsJsonDepth', () => {
  it('accepts scalars and nesting up to the limit', () => {
    for (const value of [null, 1, 'text', true, undefined]) expect(exceedsJsonDepth(value)).toBe(false);
    expect(exceedsJsonDepth({ a: [1, { b: 'c' }] })).toBe(false);
    expect(exceedsJsonDepth(nestedArrays(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(nestedObjects(MAX_JSON_DEPTH))).toBe(false);
  });

  it('refuses one level more, and nesting far deeper than the stack would allow', () => {
    expect(exceedsJsonDepth(nestedArrays(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsJsonDepth(nestedObjects(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsJsonDepth(nestedArrays(200_000))).toBe(true);
  });

  it('looks into keys JSON.parse made own properties, such as __proto__', () => {
    expect(exceedsJsonDepth(JSON.parse(`{"__proto__":${'['.repeat(10)}${']'.repeat(10)}}`), 5)).toBe(true);
  });
});
