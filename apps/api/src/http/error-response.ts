import { HttpException, HttpStatus } from '@nestjs/common';
import { InvalidCursorError, isDatabaseUnavailable } from '@app/persistence';

/** What the client sees for any failure: a status and one human-readable sentence. */
export interface ErrorResponse {
  status: number;
  message: string;
}

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';
export const BROKER_UNAVAILABLE_MESSAGE = 'Message broker is unavailable, try again later';
export const DATABASE_UNAVAILABLE_MESSAGE = 'Database is unavailable, try again later';

/** body-parser errors carry a `type`; these are the client's fault and get a stable message. */
const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'Request body is not valid JSON',
  'entity.too.large': 'Request body is too large',
  'encoding.unsupported': 'Content-Encoding is not supported',
  'charset.unsupported': 'Charset is not supported; send UTF-8 JSON',
  'request.aborted': 'Request was aborted',
  'request.size.invalid': 'Request size did not match Content-Length',
};

/**
 * Maps anything thrown while handling a request to the product's error body. Pure, so the whole table
 * is unit-tested. A 500 always means a bug: every expected failure has its own status here.
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof HttpException) return fromHttpException(error);
  if (error instanceof InvalidCursorError) return { status: HttpStatus.BAD_REQUEST, message: error.message };
  // Kafka first: its errors carry socket codes too, and they are the broker's, not the database's.
  if (isKafkaError(error)) return { status: HttpStatus.SERVICE_UNAVAILABLE, message: BROKER_UNAVAILABLE_MESSAGE };
  if (isDatabaseUnavailable(error))
    return { status: HttpStatus.SERVICE_UNAVAILABLE, message: DATABASE_UNAVAILABLE_MESSAGE };
  const clientError = fromBodyParser(error);
  if (clientError) return clientError;
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: INTERNAL_ERROR_MESSAGE };
}

function fromHttpException(error: HttpException): ErrorResponse {
  const status = error.getStatus();
  const body = error.getResponse();
  if (typeof body === 'string') return { status, message: body };
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message) && message.length > 0) return { status, message: String(message[0]) };
  if (typeof message === 'string' && message.length > 0) return { status, message };
  return { status, message: error.message };
}

function isKafkaError(error: unknown): boolean {
  // kafkajs names every error class KafkaJS*; matching the name also catches errors from another copy of kafkajs.
  return error instanceof Error && error.name.startsWith('KafkaJS');
}

/** A body-parser failure as the client error it is, or null for anything else. */
export function fromBodyParser(error: unknown): ErrorResponse | null {
  if (typeof error !== 'object' || error === null) return null;
  const { status, type, expose } = error as { status?: unknown; type?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return null;
  const known = typeof type === 'string' ? BODY_PARSER_MESSAGES[type] : undefined;
  return { status, message: known ?? (error as Error).message };
}
