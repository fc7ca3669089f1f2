import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EventStatus, RetryJobStatus } from '@app/persistence';

const JOB_STATUS_DESCRIPTION = [
  '- `queued`: waiting; at most BULK_RETRY_JOBS_PER_TENANT jobs of a tenant run at once, oldest first.',
  '- `running`: an API process is walking the matching events and queuing them (another one resumes the walk',
  '  where it stopped should that process die).',
  '- `completed`: every matching event was queued; `delivered`/`failed` keep growing as attempts finish.',
  '- `cancelled`: stopped by POST /v1/webhooks/retry-jobs/{jobId}/cancel; events queued before stay queued.',
  '- `failed`: the walk stopped early (see `error`); `queued` events are still delivered.',
].join('\n');

export class BulkRetryAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  jobId: string;

  @ApiProperty({
    enum: [RetryJobStatus.Running, RetryJobStatus.Queued],
    example: RetryJobStatus.Running,
    description: '`queued` when the tenant already runs BULK_RETRY_JOBS_PER_TENANT jobs.',
  })
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
