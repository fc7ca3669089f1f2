import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CursorPosition, decodeCursor } from '@app/persistence';

const LIMIT_MESSAGE = 'limit must be an integer between 1 and 100';

/** `limit` and `cursor` of every list endpoint. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(100, { message: LIMIT_MESSAGE })
  limit: number = 20;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString({ message: 'cursor is invalid' })
  @MaxLength(200, { message: 'cursor is invalid' })
  cursor?: string;
}

/** Decodes an optional cursor; a tampered one throws InvalidCursorError (400 "cursor is invalid"). */
export const cursorPosition = (cursor: string | undefined): CursorPosition | undefined =>
  cursor === undefined ? undefined : decodeCursor(cursor);
