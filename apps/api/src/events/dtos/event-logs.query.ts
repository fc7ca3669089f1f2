import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../http/page-query.dto';

const BOOLEAN_TEXT: Record<string, boolean> = { true: true, false: false };

export class EventLogsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only attempts to this webhook.' })
  @IsOptional()
  @IsUUID('all', { message: 'webhookId must be a valid UUID' })
  webhookId?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'Only successful (true) or failed (false) attempts.' })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' && Object.hasOwn(BOOLEAN_TEXT, value) ? BOOLEAN_TEXT[value] : value,
  )
  @IsBoolean({ message: 'success must be true or false' })
  success?: boolean;
}
