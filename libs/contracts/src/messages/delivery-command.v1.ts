import { IsEnum, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { DeliveryTrigger } from './delivery-trigger';

/**
 * Value of a message on `webhooks.delivery-commands.v1`: "deliver event `eventId` to webhook `webhookId`,
 * or to every active webhook of the event's tenant subscribed to its type when `webhookId` is absent".
 * Public contract, documented in the README with a JSON Schema; key the message by `eventId`. A W3C
 * `traceparent` message header, when present, is honoured: the deliveries continue the publisher's trace.
 */
export class DeliveryCommandV1 {
  @IsIn([1])
  version!: 1;

  /** Unique per command; deliveries are de-duplicated on (commandId, webhookId). Derived from the Kafka coordinates when absent. */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  @Matches(/^[A-Za-z0-9._:-]+$/, { message: 'commandId may contain only letters, digits and . _ : -' })
  commandId?: string;

  @IsUUID()
  eventId!: string;

  @IsOptional()
  @IsUUID()
  webhookId?: string;

  @IsOptional()
  @IsEnum(DeliveryTrigger)
  trigger?: DeliveryTrigger;

  /** Who asked: an API token id, a service name. Shown in logs, never trusted for authorisation. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  requestedBy?: string;

  /** Bulk retry job this command belongs to, so the job's progress can be counted. */
  @IsOptional()
  @IsUUID()
  retryJobId?: string;

  @IsOptional()
  @IsISO8601()
  requestedAt?: string;
}

/** A command after validation, with the defaults applied. */
export type DeliveryCommand = DeliveryCommandV1 & { commandId: string; trigger: DeliveryTrigger };

/**
 * The initial command of one delivery has one id for good, so publishing it again (an event creation
 * replayed after its first publish may have failed, a sweep for deliveries never attempted) is a no-op
 * at the dispatcher if it got there.
 */
export const initialCommandIdOf = (eventId: string, webhookId: string): string => `initial:${eventId}:${webhookId}`;

/**
 * An automatic retry's id is fixed by the delivery and its step in the schedule, so every scheduler that
 * publishes it (again, after a crash or from the sweep) publishes the same command.
 */
export const automaticRetryCommandIdOf = (deliveryId: string, scheduledFailures: number): string =>
  `retry:${deliveryId}:${scheduledFailures}`;
