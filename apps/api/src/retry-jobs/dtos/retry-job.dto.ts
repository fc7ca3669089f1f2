import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EventStatus, RetryJobStatus } from '@app/persistence';

const JOB_STATUS_DESCRIPTION = [
  '- `running`: the API is still walking the matching events and queuing them.',
  '- `queued`: every matching event was queued; `delivered`/`failed` keep growing as attempts finish.',
  '- `failed`: the walk stopped early (see `error`); `queued` events are still delivered.',
].join('\n');

export class BulkRetryAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  jobId: string;

  @ApiProperty({ enum: RetryJobStatus, example: RetryJobStatus.Running })
  status: RetryJobStatus;
}

export class RetryJobFilterDto {
  @ApiPropertyOptional({ format: 'uuid' })
  webhookId?: string;

  @ApiPropertyOptional({ enum: EventStatus })
  status?: string;

  @ApiPropertyOptional()
  type?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  to?: Date;
}

export class RetryJobDto {
  @ApiProperty({ format: 'uuid' })
  jobId: string;

  @ApiProperty({ enum: RetryJobStatus, description: JOB_STATUS_DESCRIPTION })
  status: RetryJobStatus;

  @ApiProperty({ type: RetryJobFilterDto })
  filter: RetryJobFilterDto;

  @ApiProperty({ description: 'Events that matched the filter so far (capped at BULK_RETRY_MAX_EVENTS).' })
  matched: number;

  @ApiProperty({ description: 'Matched events whose retry command Kafka acknowledged.' })
  queued: number;

  @ApiProperty({ description: 'Successful attempts made for this job.' })
  delivered: number;

  @ApiProperty({ description: 'Failed attempts made for this job (a later automatic retry may still succeed).' })
  failed: number;

  @ApiProperty({ type: String, nullable: true, description: 'Why the job stopped early; null otherwise.' })
  error: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;
}
