import { ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { ListEventsQueryDto } from '../../events/dtos/list-events.query';

/**
 * Which events to retry: the event list's filters, and a webhook. Every field narrows the set; `{}` means
 * all of the tenant's events (up to the cap).
 */
export class BulkRetryDto extends PickType(ListEventsQueryDto, ['status', 'type', 'from', 'to'] as const) {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only events that were delivered (or due) to this webhook, and only to it.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'webhookId must be a valid UUID' })
  webhookId?: string;
}
