import { IsIn, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { RawJson } from '../validation/raw-json';
import { NotOperationalEventType } from './operational-event';

export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
export const MAX_EVENT_PAYLOAD_BYTES = 256 * 1024;

/**
 * Value of a message on `webhooks.events.v1`: another service publishing an event for delivery.
 * Same rules as `POST /v1/webhooks/events`; the tenant is named explicitly because no token is involved.
 */
export class EventPublishedV1 {
  @IsIn([1])
  version!: 1;

  @IsString()
  @Length(1, 100)
  tenantId!: string;

  /** Optional: lets the publisher choose the id (and so retry publishing safely). */
  @IsOptional()
  @IsUUID()
  eventId?: string;

  @IsString()
  @Matches(EVENT_TYPE_PATTERN, { message: 'type must be 1-128 characters of letters, digits and _ . : -' })
  @NotOperationalEventType()
  type!: string;

  @IsObject()
  @RawJson()
  payload!: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  idempotencyKey?: string;

  @IsOptional()
  @IsISO8601()
  occurredAt?: string;
}
