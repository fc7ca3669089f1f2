import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsUUID } from 'class-validator';

const IDS_MESSAGE = 'webhookIds must be 1-100 comma-separated webhook UUIDs';

export class WebhookSuccessRatesQueryDto {
  @ApiProperty({
    type: String,
    example: '7b1d2c6e-0a4f-4c8e-9d2b-3f1e5a6b7c8d,1f0e9d8c-7b6a-4a5b-8c4d-3e2f1a0b9c8d',
    description: 'Comma-separated webhook ids (1-100), e.g. the ids of one page of GET /v1/webhooks.',
  })
  // Listed last to first: class-validator runs property decorators bottom-up, and stops at the first failure.
  @ArrayUnique({ message: 'webhookIds must not repeat a webhook' })
  @IsUUID('all', { each: true, message: IDS_MESSAGE })
  @ArrayMaxSize(100, { message: IDS_MESSAGE })
  @ArrayMinSize(1, { message: IDS_MESSAGE })
  @IsArray({ message: IDS_MESSAGE })
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((id) => id.trim()) : value))
  webhookIds: string[];
}
