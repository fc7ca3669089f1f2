import { ApiProperty } from '@nestjs/swagger';
import { EventStatus } from '@app/persistence';
import { EVENT_STATUS_DESCRIPTION } from './event-status-docs';

/** An event in lists and in the create response. */
export class EventSummaryDto {
  @ApiProperty({ format: 'uuid' })
  eventId: string;

  @ApiProperty({ example: 'invoice.paid' })
  type: string;

  @ApiProperty({ enum: EventStatus, description: EVENT_STATUS_DESCRIPTION })
  status: EventStatus;

  @ApiProperty({ description: 'Webhooks the event was fanned out to when it was created.' })
  webhookCount: number;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;
}

export class EventDetailDto extends EventSummaryDto {
  @ApiProperty({ type: 'object', additionalProperties: true })
  payload: Record<string, unknown>;

  @ApiProperty()
  idempotencyKey: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;
}
