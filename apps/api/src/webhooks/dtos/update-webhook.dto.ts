import { ApiPropertyOptional } from '@nestjs/swagger';
import { DescriptionField, EventTypesField, FlagField, UrlField } from './webhook-fields';
import { EndpointControlsDto } from './endpoint-controls.dto';

/**
 * Every field optional; absent leaves it as it is. Only rateLimit, timeout and headers may be null, which clears
 * them. `active: true` re-enables a disabled webhook and clears its reason.
 */
export class UpdateWebhookDto extends EndpointControlsDto {
  @ApiPropertyOptional({ example: 'https://example.com/webhooks', maxLength: 2048 })
  @UrlField(true)
  url?: string;

  @ApiPropertyOptional({ type: [String], description: 'Event types to receive; empty means all.' })
  @EventTypesField()
  eventTypes?: string[];

  @ApiPropertyOptional({ maxLength: 500 })
  @DescriptionField()
  description?: string;

  @ApiPropertyOptional({ description: 'true re-enables a webhook the service disabled (clears disabledReason).' })
  @FlagField('active')
  active?: boolean;

  @ApiPropertyOptional()
  @FlagField('fifo')
  fifo?: boolean;
}
