import { ValidateBy, ValidationOptions } from 'class-validator';
import { parseDuration } from './duration';

/** Environment values arrive as strings; these turn them into what the validators check. */
export const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
export const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value !== '' ? Number(value) : value;

export const DURATION = /^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)?\s*$/;
export const DURATION_LIST = /^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)?\s*(,\s*\d+(\.\d+)?\s*(ms|s|m|h|d)?\s*)*$/;

const RETENTION_MIN_MS = 3_600_000;

/**
 * A retention age: 0 keeps forever, anything else is at least an hour, so that a unit left off ("30" is
 * 30 ms) is refused instead of deleting everything.
 */
export function IsRetention(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRetention',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !DURATION.test(value)) return false;
          const ms = parseDuration(value);
          return ms === 0 || ms >= RETENTION_MIN_MS;
        },
        defaultMessage: () => '$property must be 0 (keep forever) or a duration of at least 1h, e.g. 30d',
      },
    },
    options,
  );
}

/** A duration from `minMs` to `maxMs`, for settings whose extremes would make no sense (a timer firing every 0 ms). */
export function IsDurationBetween(minMs: number, maxMs: number): PropertyDecorator {
  return ValidateBy({
    name: 'isDurationBetween',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string' || !DURATION.test(value)) return false;
        const ms = parseDuration(value);
        return ms >= minMs && ms <= maxMs;
      },
      defaultMessage: () => `$property must be a duration from ${minMs}ms to ${maxMs / 1000}s, e.g. 200ms`,
    },
  });
}
