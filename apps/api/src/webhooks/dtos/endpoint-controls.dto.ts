import { ApiPropertyOptional } from '@nestjs/swagger';
import { HeadersField, MAX_RATE_LIMIT, MIN_TIMEOUT_MS, RateLimitField, TimeoutField } from './webhook-fields';

/** The endpoint controls, the same on create and update: absent leaves them as they are, null clears them. */
export abstract class EndpointControlsDto {
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
