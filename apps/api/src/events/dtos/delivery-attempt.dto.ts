import { ApiProperty } from '@nestjs/swagger';
import { DeliveryErrorKind, DeliveryTrigger } from '@app/contracts';

/** One delivery attempt, as GET .../logs lists them (newest first). */
export class DeliveryAttemptDto {
  @ApiProperty({ format: 'uuid' })
  attemptId: string;

  @ApiProperty({ format: 'uuid' })
  webhookId: string;

  @ApiProperty()
  url: string;

  @ApiProperty({ description: 'The delivery command that caused the attempt.' })
  commandId: string;

  @ApiProperty({
    enum: DeliveryTrigger,
    description: '`initial` (event creation), `automatic` (retry schedule) or `manual` (retry API).',
  })
  trigger: DeliveryTrigger;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "Who asked for the attempt: the API token id for the API's own commands, the `requestedBy` of a command published to Kafka, `retry-scheduler` for automatic retries; null when the command named no one.",
  })
  requestedBy: string | null;

  @ApiProperty({
    description:
      "1 for the delivery's first attempt; counts every attempt to this webhook (initial, automatic and manual) in the order they were made.",
  })
  attemptNumber: number;

  @ApiProperty({ type: String, format: 'date-time' })
  startedAt: Date;

  @ApiProperty()
  durationMs: number;

  @ApiProperty({ type: Number, nullable: true })
  statusCode: number | null;

  @ApiProperty({ enum: DeliveryErrorKind, nullable: true })
  errorKind: DeliveryErrorKind | null;

  @ApiProperty({ type: String, nullable: true })
  errorMessage: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The first bytes of the response body.' })
  responseBodyExcerpt: string | null;

  @ApiProperty()
  success: boolean;
}
