import { DeadLetterV1 } from '../messages/dead-letter.v1';
import { ParseResult } from './parse-message';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks a dead letter's envelope; the original bytes inside it are whatever was received. */
export function parseDeadLetter(raw: Buffer | null): ParseResult<DeadLetterV1> {
  let letter: DeadLetterV1;
  try {
    letter = JSON.parse(raw?.toString('utf8') ?? '') as DeadLetterV1;
  } catch (error) {
    return { ok: false, reason: `value is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof letter !== 'object' || letter === null || letter.version !== 1)
    return { ok: false, reason: 'not a version 1 dead letter' };
  const optionalBase64 = (value: unknown) => value === null || (typeof value === 'string' && BASE64.test(value));
  const problems = [
    typeof letter.sourceTopic === 'string' && letter.sourceTopic ? null : 'sourceTopic is required',
    Number.isInteger(letter.partition) && letter.partition >= 0 ? null : 'partition must be a whole number',
    typeof letter.offset === 'string' && /^\d+$/.test(letter.offset) ? null : 'offset must be digits',
    typeof letter.reason === 'string' && letter.reason ? null : 'reason is required',
    Number.isNaN(Date.parse(letter.failedAt)) ? 'failedAt must be a date' : null,
    optionalBase64(letter.keyBase64) ? null : 'keyBase64 must be base64 or null',
    optionalBase64(letter.valueBase64) ? null : 'valueBase64 must be base64 or null',
  ].filter(Boolean);
  return problems.length > 0
    ? { ok: false, reason: `schema violation: ${problems.join('; ')}` }
    : { ok: true, value: letter };
}
