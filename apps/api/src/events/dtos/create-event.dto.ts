import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { EVENT_TYPE_PATTERN, MAX_EVENT_PAYLOAD_BYTES, NotOperationalEventType, RawJson } from '@app/contracts';

const TYPE_MESSAGE = 'type must be 1-128 characters of letters, digits and _ . : -';

export class CreateEventDto {
  @ApiProperty({
    example: 'invoice.paid',
    pattern: EVENT_TYPE_PATTERN.source,
    description: 'endpoint.disabled, endpoint.enabled and retry_job.finished are reserved for operational webhooks.',
  })
  @IsString({ message: TYPE_MESSAGE })
  @Matches(EVENT_TYPE_PATTERN, { message: TYPE_MESSAGE })
  @NotOperationalEventType()
  type: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { invoiceId: 'inv_123', amount: 4200 },
    description: `Any JSON object, at most ${MAX_EVENT_PAYLOAD_BYTES} bytes serialised; delivered verbatim.`,
  })
  @IsObject({ message: 'payload must be a JSON object' })
  @RawJson()
  payload: Record<string, unknown>;

  @ApiPropertyOptional({
    maxLength: 200,
    description:
      'Repeating a key returns the event created with it (200) instead of creating another. Defaults to the event id.',
  })
  @ValidateIf((_object, value) => value !== undefined)
  @IsString({ message: 'idempotencyKey must be a string of 1-200 characters' })
  @Length(1, 200, { message: 'idempotencyKey must be a string of 1-200 characters' })
  idempotencyKey?: string;
}
