import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/** The chart shows at most a day, minute by minute (1,440 bars); longer belongs to /metrics and Prometheus. */
export const MAX_CHART_HOURS = 24;
const HOURS_MESSAGE = `hours must be an integer between 1 and ${MAX_CHART_HOURS}`;

export class DeliveriesPerMinuteQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_CHART_HOURS, default: 3, description: 'How far back, in hours.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: HOURS_MESSAGE })
  @Min(1, { message: HOURS_MESSAGE })
  @Max(MAX_CHART_HOURS, { message: HOURS_MESSAGE })
  hours: number = 3;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only attempts to this webhook.' })
  @IsOptional()
  @IsUUID('all', { message: 'webhookId must be a valid UUID' })
  webhookId?: string;
}
