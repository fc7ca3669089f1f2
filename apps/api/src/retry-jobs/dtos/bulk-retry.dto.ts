import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { EVENT_TYPE_PATTERN } from '@app/contracts';
import { EventStatus } from '@app/persistence';
import { IsIsoDateTime } from '../../http/is-iso-date-time.decorator';
import { EVENT_STATUS_DESCRIPTION } from '../../events/dtos/event-status-docs';

const STATUSES = Object.values(EventStatus);

/** Which events to retry; every field narrows the set, `{}` means all of the tenant's events (up to the cap). */
export class BulkRetryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only events that were delivered (or due) to this webhook, and only to it.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'webhookId must be a valid UUID' })
  webhookId?: string;

  @ApiPropertyOptional({ enum: EventStatus, example: EventStatus.Failed, description: EVENT_STATUS_DESCRIPTION })
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` })
  status?: EventStatus;

  @ApiPropertyOptional({ example: 'invoice.paid' })
  @IsOptional()
  @IsString({ message: 'type must be a valid event type' })
  @Matches(EVENT_TYPE_PATTERN, { message: 'type must be a valid event type' })
  type?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events created at or after this instant.' })
  @IsOptional()
  @IsIsoDateTime('from must be an ISO 8601 date-time')
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events created at or before this instant.' })
  @IsOptional()
  @IsIsoDateTime('to must be an ISO 8601 date-time')
  to?: string;
}
