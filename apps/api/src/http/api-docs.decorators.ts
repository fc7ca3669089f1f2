import { applyDecorators, HttpStatus, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** Every error the API answers has this body. */
export class ErrorBodyDto {
  @ApiProperty({ example: 'Event not found', description: 'One human-readable sentence (never a list).' })
  message: string;
}

export const ERROR_DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Invalid path parameter, query, or body (malformed JSON, unknown field, bad value).',
  [HttpStatus.UNAUTHORIZED]: 'Missing, malformed, unknown, revoked or expired bearer token.',
  [HttpStatus.FORBIDDEN]: 'The token is read-only: it may make GET and HEAD requests only.',
  [HttpStatus.NOT_FOUND]: 'No such object for this token’s tenant.',
  [HttpStatus.CONFLICT]: 'The object is in a state that does not allow this operation.',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Request body (or event payload) is larger than allowed.',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'A body was sent with a Content-Type other than application/json.',
  [HttpStatus.TOO_MANY_REQUESTS]:
    'The tenant’s rate limit (or the address’s limit on refused tokens) is used up; see the Retry-After header (seconds).',
  [HttpStatus.SERVICE_UNAVAILABLE]:
    'Kafka or MongoDB is unavailable; nothing was changed, retry after the Retry-After header (seconds).',
};

export function ApiErrors(...statuses: HttpStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, type: ErrorBodyDto, description: ERROR_DESCRIPTIONS[status] })),
  );
}

const envelope = (data: object) => ({
  type: 'object',
  required: ['success', 'data'],
  properties: { success: { type: 'boolean', example: true }, data },
});

/** A success response: `{"success": true, "data": <model>}`. */
export function ApiEnvelope(model: Type, status: HttpStatus = HttpStatus.OK, description?: string): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({ status, description, schema: envelope({ $ref: getSchemaPath(model) }) }),
  );
}

/** A page of a list: `{"success": true, "data": {"items": [...], "nextCursor": "..." | null}}`. */
export function ApiPageEnvelope(model: Type, description?: string): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: HttpStatus.OK,
      description,
      schema: envelope({
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(model) } },
          nextCursor: {
            type: 'string',
            nullable: true,
            description: 'Pass as `cursor` to get the next page; null on the last page.',
          },
        },
      }),
    }),
  );
}
