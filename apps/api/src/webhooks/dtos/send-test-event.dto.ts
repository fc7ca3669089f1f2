import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional } from 'class-validator';
import { MAX_EVENT_PAYLOAD_BYTES, RawJson } from '@app/contracts';

/** Optional body of POST /v1/webhooks/{webhookId}/test; absent or `{}` sends the default payload. */
export class SendTestEventDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { message: 'This is a test event' },
    description: `Any JSON object, at most ${MAX_EVENT_PAYLOAD_BYTES} bytes serialised; defaults to {"message": "This is a test event"}.`,
  })
  @IsOptional()
  @IsObject({ message: 'payload must be a JSON object' })
  @RawJson()
  payload?: Record<string, unknown>;
}
