import { BadRequestException } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '@app/contracts';

export const TOO_DEEP_MESSAGE = `Request body must not nest objects or arrays deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * Runs right after the JSON parser. The validation pipe and class-transformer walk a body recursively,
 * so a small body of deeply nested arrays overflowed the stack (a 500); such a body is the client's
 * mistake, a 400.
 */
export function rejectDeepJson(
  request: IncomingMessage & { body?: unknown },
  _response: ServerResponse,
  next: (error?: unknown) => void,
): void {
  next(exceedsJsonDepth(request.body) ? new BadRequestException(TOO_DEEP_MESSAGE) : undefined);
}
