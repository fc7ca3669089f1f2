import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DescriptionField, EventTypesField, FlagField, UrlField } from './webhook-fields';
import { EndpointControlsDto } from './endpoint-controls.dto';

export class CreateWebhookDto extends EndpointControlsDto {
  @ApiProperty({
    example: 'https://example.com/webhooks',
    maxLength: 2048,
    description: 'Must be https (http only where the deployment sets ALLOW_HTTP_WEBHOOKS).',
  })
  @UrlField()
  url: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['invoice.paid'],
    description: 'Event types to receive; empty or absent means all.',
  })
  @EventTypesField()
  eventTypes?: string[];

  @ApiPropertyOptional({ maxLength: 500, example: 'Billing service' })
  @DescriptionField()
  description?: string;

  @ApiPropertyOptional({ default: true })
  @FlagField('active')
  active?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'Strict ordering: deliveries go out in event order, and a failing event holds back later ones.',
  })
  @FlagField('fifo')
  fifo?: boolean;
}
