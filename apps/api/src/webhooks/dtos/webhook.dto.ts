import { ApiProperty } from '@nestjs/swagger';

/** A webhook as the API shows it: never with its signing secrets. */
export class WebhookDto {
  @ApiProperty({ format: 'uuid' })
  webhookId: string;

  @ApiProperty({ example: 'https://example.com/webhooks' })
  url: string;

  @ApiProperty({ type: [String], description: 'Empty means all event types.' })
  eventTypes: string[];

  @ApiProperty()
  description: string;

  @ApiProperty()
  active: boolean;

  @ApiProperty()
  fifo: boolean;

  @ApiProperty({ type: Number, nullable: true, description: 'Deliveries per second; null is unlimited.' })
  rateLimit: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: "Request timeout in milliseconds; null is the service's DELIVERY_TIMEOUT.",
  })
  timeout: number | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Static headers sent with every delivery; {} when none.',
  })
  headers: Record<string, string>;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the webhook was disabled (410 Gone, failing too long, or via the API); null while active.',
  })
  disabledReason: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Standard Webhooks signing secret. Shown only here and by the rotate endpoint: store it now.',
  })
  secret: string;
}

export class RotatedSecretDto {
  @ApiProperty({ format: 'uuid' })
  webhookId: string;

  @ApiProperty({ description: 'The new signing secret; deliveries are signed with it from now on.' })
  secret: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Until then deliveries also carry a signature made with the previous secret.',
  })
  previousSecretExpiresAt: Date | null;
}

export class DeletedWebhookDto {
  @ApiProperty({ format: 'uuid' })
  webhookId: string;

  @ApiProperty({ example: true })
  deleted: true;
}
