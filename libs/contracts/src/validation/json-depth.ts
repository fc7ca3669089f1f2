/**
 * Deepest nesting of objects and arrays accepted in a request body or a consumed message. It is
 * MongoDB's own limit for a document, far beyond any real event payload, and far below the depth at
 * which recursive walkers (class-transformer, Nest's ValidationPipe, JSON.stringify) overflow the stack:
 * a 20 KB body of nested arrays used to crash validation with a RangeError (a 500).
 */
export const MAX_JSON_DEPTH = 100;

/** Whether `value` nests deeper than `maxDepth` levels. Iterative, so it cannot overflow the stack itself. */
export function exceedsJsonDepth(value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}
