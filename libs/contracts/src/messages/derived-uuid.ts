import { createHash } from 'node:crypto';

/**
 * A UUID derived from a fact: whoever names the same fact again, after a crash or a replay, gets the same
 * id. Shaped as a version 5 (name-based) UUID, so it passes every id check.
 */
export function derivedUuidOf(fact: string): string {
  const hex = createHash('sha256').update(fact).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
