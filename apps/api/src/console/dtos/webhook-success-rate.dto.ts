import { ApiProperty } from '@nestjs/swagger';

export class WebhookSuccessRateDto {
  @ApiProperty({ format: 'uuid' })
  webhookId: string;

  @ApiProperty({ description: 'Attempts started in the window (automatic and manual).' })
  attempts: number;

  @ApiProperty()
  succeeded: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.982,
    description: 'succeeded / attempts, between 0 and 1; null when there was no attempt.',
  })
  successRate: number | null;
}

export class WebhookSuccessRatesDto {
  @ApiProperty({ type: String, format: 'date-time' })
  from: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  to: Date;

  @ApiProperty({ type: [WebhookSuccessRateDto], description: 'One entry per requested id, in the order asked.' })
  items: WebhookSuccessRateDto[];
}
