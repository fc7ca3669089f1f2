import { UnsupportedMediaTypeException } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';

const JSON_TYPE = /^application\/(?:[a-z0-9.!#$&^_-]+\+)?json$/;

export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** application/json and application/*+json: what the JSON body parser reads; any other body is refused with 415. */
export function isJsonContentType(header: string | undefined): boolean {
  const mediaType = (header ?? '').split(';')[0].trim().toLowerCase();
  return JSON_TYPE.test(mediaType);
}

/**
 * Runs before the body parser. Without it a form or text body would be silently ignored (the JSON
 * parser skips other types) and the request handled as if it had no body.
 */
export function requireJsonBody(
  request: IncomingMessage,
  _response: ServerResponse,
  next: (error?: unknown) => void,
): void {
  if (hasBody(request) && !isJsonContentType(request.headers['content-type'])) {
    next(new UnsupportedMediaTypeException('Content-Type must be application/json'));
    return;
  }
  next();
}
