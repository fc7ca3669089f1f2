import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsIn, ValidateIf } from 'class-validator';
import { OperationalEventType } from '@app/contracts';
import { DescriptionField, UrlField } from '../../webhooks/dtos/webhook-fields';

const OPERATIONAL_TYPES = Object.values(OperationalEventType);
const EVENT_TYPES_MESSAGE = `eventTypes must list only ${OPERATIONAL_TYPES.join(', ')}`;

export class CreateOperationalWebhookDto {
  @ApiProperty({
    example: 'https://example.com/ops-webhooks',
    maxLength: 2048,
    description: 'Must be https (http only where the deployment sets ALLOW_HTTP_WEBHOOKS).',
  })
  @UrlField()
  url: string;

  @ApiPropertyOptional({
    type: [String],
    enum: OPERATIONAL_TYPES,
    example: [OperationalEventType.EndpointDisabled],
    description: 'Operational event types to receive; empty or absent means all of them.',
  })
  @ValidateIf((_object, value) => value !== undefined)
  @IsArray({ message: EVENT_TYPES_MESSAGE })
  @IsIn(OPERATIONAL_TYPES, { each: true, message: EVENT_TYPES_MESSAGE })
  @ArrayUnique({ message: 'eventTypes must not repeat an event type' })
  eventTypes?: OperationalEventType[];

  @ApiPropertyOptional({ maxLength: 500, example: 'On-call alerts' })
  @DescriptionField()
  description?: string;
}
