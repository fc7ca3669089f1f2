import { applyDecorators } from '@nestjs/common';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { EVENT_TYPE_PATTERN } from '@app/contracts';

/**
 * The validation of each webhook field, shared by create and update. Optional fields may be omitted but
 * not null: a null would otherwise slip past @IsOptional and erase a stored value.
 */
const whenPresent = () => ValidateIf((_object, value) => value !== undefined);

const URL_MESSAGE = 'url must be an absolute http(s) URL without credentials';

export const UrlField = (optional = false) =>
  applyDecorators(
    ...(optional ? [whenPresent()] : []),
    IsString({ message: URL_MESSAGE }),
    MaxLength(2048, { message: 'url must be at most 2048 characters' }),
    IsUrl(
      { protocols: ['http', 'https'], require_protocol: true, require_tld: false, disallow_auth: true },
      { message: URL_MESSAGE },
    ),
  );

export const EventTypesField = () =>
  applyDecorators(
    whenPresent(),
    IsArray({ message: 'eventTypes must be an array of event types' }),
    ArrayMaxSize(100, { message: 'eventTypes may list at most 100 event types' }),
    IsString({ each: true, message: 'eventTypes must be an array of event types' }),
    Matches(EVENT_TYPE_PATTERN, {
      each: true,
      message: 'each eventTypes entry must be 1-128 characters of letters, digits and _ . : -',
    }),
    ArrayUnique({ message: 'eventTypes must not repeat an event type' }),
  );

export const DescriptionField = () =>
  applyDecorators(
    whenPresent(),
    IsString({ message: 'description must be a string' }),
    MaxLength(500, { message: 'description must be at most 500 characters' }),
  );

export const FlagField = (name: string) =>
  applyDecorators(whenPresent(), IsBoolean({ message: `${name} must be a boolean` }));
