import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  DescriptionField,
  EventTypesField,
  FlagField,
  HeadersField,
  MAX_RATE_LIMIT,
  MIN_TIMEOUT_MS,
  RateLimitField,
  TimeoutField,
  UrlField,
} from './webhook-fields';

export class CreateWebhookDto {
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

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: MAX_RATE_LIMIT,
    example: 50,
    description:
      'Most deliveries per second to this endpoint, across all dispatchers (within about 10 %); deliveries over it ' +
      'wait their turn, they are not failed. Absent or null: unlimited.',
  })
  @RateLimitField()
  rateLimit?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: MIN_TIMEOUT_MS,
    example: 5000,
    description:
      "Request timeout for this endpoint in milliseconds, at most the service's DELIVERY_TIMEOUT (15000 by " +
      'default). Absent or null: DELIVERY_TIMEOUT.',
  })
  @TimeoutField()
  timeout?: number | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    example: { Authorization: 'Bearer 0123456789abcdef' },
    description:
      'Static headers sent with every delivery (at most 20, 4096 bytes of names and values). Names are HTTP ' +
      'tokens; webhook-*, content-type, content-length, content-encoding, host, user-agent and hop-by-hop ' +
      'headers (connection, keep-alive, proxy-*, te, trailer, transfer-encoding, upgrade, expect) are refused. ' +
      'Null or {} sends none.',
  })
  @HeadersField()
  headers?: Record<string, string> | null;
}
