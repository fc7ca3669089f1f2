import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth';
import { setRawJsonAside } from './raw-json';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

type MessageClass<T> = new () => T;

/** Flattens nested class-validator errors into one readable sentence. */
export function describeValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {});
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}

/**
 * Turns raw Kafka bytes into a validated message instance, or a reason for the dead-letter topic.
 * Never throws: a consumer must not crash on a poison message.
 */
export function parseMessage<T extends object>(messageClass: MessageClass<T>, raw: Buffer | null): ParseResult<T> {
  if (!raw || raw.length === 0) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'value must be a JSON object' };
  }
  // class-transformer walks every value recursively: deep enough nesting would overflow the stack.
  if (exceedsJsonDepth(json)) return { ok: false, reason: `value nests deeper than ${MAX_JSON_DEPTH} levels` };
  let instance: T;
  let errors: ValidationError[];
  try {
    const { plain, restore } = setRawJsonAside(messageClass, json);
    instance = plainToInstance(messageClass, plain) as T;
    errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
    restore(instance);
  } catch (error) {
    return { ok: false, reason: `value could not be validated: ${(error as Error).message}` };
  }
  if (errors.length > 0) {
    return { ok: false, reason: `schema violation: ${describeValidationErrors(errors).join('; ')}` };
  }
  return { ok: true, value: instance };
}
