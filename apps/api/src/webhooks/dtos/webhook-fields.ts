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
  Max,
  Min,
  IsInt,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { EVENT_TYPE_PATTERN } from '@app/contracts';
import { webhookHeadersProblem } from '../webhook-headers';

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

/** The endpoint controls may be null, on create and update alike: null means none (and clears a stored one). */
const whenSet = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** Most deliveries per second a webhook may ask for; beyond it a limit would mean nothing. */
export const MAX_RATE_LIMIT = 10_000;
/** Shortest per-endpoint timeout; the longest is the service's DELIVERY_TIMEOUT (WebhookTimeoutPolicy). */
export const MIN_TIMEOUT_MS = 1_000;

const RATE_LIMIT_MESSAGE = `rateLimit must be an integer from 1 to ${MAX_RATE_LIMIT} (deliveries per second) or null`;
const TIMEOUT_MESSAGE = `timeout must be an integer of at least ${MIN_TIMEOUT_MS} (milliseconds) or null`;

export const RateLimitField = () =>
  applyDecorators(
    whenSet(),
    IsInt({ message: RATE_LIMIT_MESSAGE }),
    Min(1, { message: RATE_LIMIT_MESSAGE }),
    Max(MAX_RATE_LIMIT, { message: RATE_LIMIT_MESSAGE }),
  );

export const TimeoutField = () =>
  applyDecorators(whenSet(), IsInt({ message: TIMEOUT_MESSAGE }), Min(MIN_TIMEOUT_MS, { message: TIMEOUT_MESSAGE }));

export const HeadersField = () =>
  applyDecorators(
    whenSet(),
    ValidateBy({
      name: 'webhookHeaders',
      validator: {
        validate: (value) => webhookHeadersProblem(value) === null,
        defaultMessage: (args) => webhookHeadersProblem(args?.value) ?? 'headers are invalid',
      },
    }),
  );
