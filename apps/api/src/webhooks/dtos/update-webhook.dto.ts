import { ApiPropertyOptional } from '@nestjs/swagger';
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

/**
 * Every field optional; absent leaves it as it is. Only rateLimit, timeout and headers may be null, which clears
 * them. `active: true` re-enables a disabled webhook and clears its reason.
 */
export class UpdateWebhookDto {
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
