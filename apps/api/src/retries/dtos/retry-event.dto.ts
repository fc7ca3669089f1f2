import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

/** Optional body of POST .../retry; absent, empty or `{}` means every active subscribed webhook. */
export class RetryEventDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Retry only to this webhook (it must be active).' })
  @IsOptional()
  @IsUUID('all', { message: 'webhookId must be a valid UUID' })
  webhookId?: string;
}

export class RetryEventResultDto {
  @ApiProperty({ format: 'uuid', example: '550e8400-e29b-41d4-a716-446655440000' })
  eventId: string;

  @ApiProperty({ example: 2, description: 'Webhooks the event was queued for.' })
  webhookCount: number;

  @ApiProperty({ example: 'Event queued for retry to 2 webhook(s)' })
  message: string;
}
