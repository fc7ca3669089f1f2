import { ApiProperty } from '@nestjs/swagger';

/** Attempts by outcome; the three counts add up to all attempts. */
export class OutcomeCountsDto {
  @ApiProperty({ description: 'The endpoint answered 2xx.' })
  succeeded: number;

  @ApiProperty({ description: 'The endpoint answered, with a status other than 2xx (3xx included).' })
  httpError: number;

  @ApiProperty({
    description: 'No HTTP answer: timeout, connection refused or reset, DNS, TLS, blocked target, webhook disabled.',
  })
  noResponse: number;
}

export class DeliveryMinuteDto extends OutcomeCountsDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'Start of the minute (UTC).' })
  minute: Date;
}

export class DeliveriesPerMinuteDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'Start of the first minute, inclusive.' })
  from: Date;

  @ApiProperty({ type: String, format: 'date-time', description: 'End of the last minute, exclusive.' })
  to: Date;

  @ApiProperty({ type: OutcomeCountsDto })
  totals: OutcomeCountsDto;

  @ApiProperty({
    type: [DeliveryMinuteDto],
    description: 'One entry per minute, oldest first, empty minutes included.',
  })
  buckets: DeliveryMinuteDto[];
}
