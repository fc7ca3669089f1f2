import { HttpException } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { fromBodyParser } from './error-response';

/**
 * Express error middleware placed right after the JSON parser. Nest itself turns a parse failure into a
 * 400 carrying the JavaScript parser's wording; this gives every body-parser failure (bad JSON, too
 * large, bad charset) the product's stable message and status before Nest sees it.
 */
export function bodyParserErrors(
  error: unknown,
  _request: IncomingMessage,
  _response: ServerResponse,
  next: (error?: unknown) => void,
): void {
  const clientError = fromBodyParser(error);
  next(clientError ? new HttpException(clientError.message, clientError.status) : error);
}
