import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { EVENT_TYPE_PATTERN } from '@app/contracts';
import { EventStatus } from '@app/persistence';
import { IsIsoDateTime } from '../../http/is-iso-date-time.decorator';
import { PageQueryDto } from '../../http/page-query.dto';
import { EVENT_STATUS_DESCRIPTION } from './event-status-docs';

const STATUSES = Object.values(EventStatus);
const STATUS_MESSAGE = `status must be one of ${STATUSES.join(', ')}`;

/** The event filters, which bulk retry takes too (BulkRetryDto); dates bound createdAt, inclusive. */
export class ListEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: EventStatus, example: EventStatus.Failed, description: EVENT_STATUS_DESCRIPTION })
  @IsOptional()
  @IsIn(STATUSES, { message: STATUS_MESSAGE })
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
