import { ApiProperty } from '@nestjs/swagger';
import { OperationalEventType } from '@app/contracts';

/** An operational webhook as the API shows it: never with its signing secrets. */
export class OperationalWebhookDto {
  @ApiProperty({ format: 'uuid' })
  webhookId: string;

  @ApiProperty({ example: 'https://example.com/ops-webhooks' })
  url: string;

  @ApiProperty({
    type: [String],
    enum: Object.values(OperationalEventType),
    description: 'Empty means every operational event type.',
  })
  eventTypes: string[];

  @ApiProperty()
  description: string;

  @ApiProperty({ description: 'false once the service disabled it (410 Gone, failing too long).' })
  active: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Why it was disabled; null while active.' })
  disabledReason: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;
}

export class CreatedOperationalWebhookDto extends OperationalWebhookDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Standard Webhooks signing secret, as for ordinary webhooks. Shown only here: store it now.',
  })
  secret: string;
}
