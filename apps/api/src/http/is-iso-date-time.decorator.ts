import { applyDecorators } from '@nestjs/common';
import { IsISO8601, ValidateBy } from 'class-validator';

/**
 * An ISO 8601 instant the API can use. class-validator's strict ISO check alone also accepts forms that
 * `new Date` cannot read (week dates `2020-W01`, ordinal `2020-366`, comma fractions
 * `2020-01-01T00:00:00,5Z`); those became Invalid Date filters, stored in a bulk retry job as such.
 */
export const IsIsoDateTime = (message: string): PropertyDecorator =>
  applyDecorators(
    IsISO8601({ strict: true }, { message }),
    ValidateBy({ name: 'isReadableDate', validator: { validate: isReadableDate, defaultMessage: () => message } }),
  );

export function isReadableDate(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}
