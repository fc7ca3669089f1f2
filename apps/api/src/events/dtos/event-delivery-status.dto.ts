import { ApiProperty } from '@nestjs/swagger';
import { DeliveryErrorKind, DeliveryStatus } from '@app/contracts';
import { EventStatus } from '@app/persistence';
import { DELIVERY_STATUS_DESCRIPTION, EVENT_STATUS_DESCRIPTION } from './event-status-docs';

export class WebhookDeliveryStatusDto {
  @ApiProperty({ format: 'uuid' })
  webhookId: string;

  @ApiProperty({ description: 'The URL the latest attempt went to.' })
  url: string;

  @ApiProperty({ enum: DeliveryStatus, description: DELIVERY_STATUS_DESCRIPTION })
  status: DeliveryStatus;

  @ApiProperty({ description: 'Attempts made so far (automatic and manual).' })
  attempts: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastAttemptAt: Date | null;

  @ApiProperty({ type: Number, nullable: true })
  lastStatusCode: number | null;

  @ApiProperty({
    enum: DeliveryErrorKind,
    nullable: true,
    description: 'Why the last attempt failed without an HTTP status.',
  })
  lastErrorKind: DeliveryErrorKind | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the next automatic retry is due.',
  })
  nextAttemptAt: Date | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'FIFO webhooks only: the earlier event whose delivery to this webhook must finish before this one is sent.',
  })
  heldBy: string | null;
}

export class EventDeliveryStatusDto {
  @ApiProperty({ format: 'uuid' })
  eventId: string;

  @ApiProperty()
  type: string;

  @ApiProperty({ enum: EventStatus, description: EVENT_STATUS_DESCRIPTION })
  status: EventStatus;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: [WebhookDeliveryStatusDto] })
  webhooks: WebhookDeliveryStatusDto[];
}
