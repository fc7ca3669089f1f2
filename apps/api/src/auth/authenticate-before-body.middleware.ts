import { IncomingMessage, ServerResponse } from 'node:http';
import { hasBody } from '../http/require-json-body.middleware';
import { AuthenticatedRequest } from './principal';
import { TokenAuthGuard } from './token-auth.guard';

/**
 * Mounted on /v1 ahead of the JSON parser, so that the API reads no body for a caller whose token it
 * refuses: otherwise anyone could make it parse API_BODY_LIMIT_BYTES of JSON. A refusal (401, or 429 past
 * the failure limit) is recorded, the body parsing skips the request, and TokenAuthGuard answers with it:
 * routing, request logging and the product's error body stay as they were.
 */
export function authenticateBeforeBody(guard: TokenAuthGuard) {
  return (request: AuthenticatedRequest, response: ServerResponse, next: () => void): void => {
    guard.authenticateRequest(request, response).then(
      () => next(),
      (error: unknown) => {
        request.refusal = error;
        // Keeping the connection would mean draining whatever body the client still sends; close it instead.
        if (hasBody(request) && !request.complete) response.setHeader('Connection', 'close');
        next();
      },
    );
  };
}

/** A request whose body must not be read, its token refused. */
export function refusedBeforeBody(request: IncomingMessage): boolean {
  return (request as AuthenticatedRequest).refusal !== undefined;
}
