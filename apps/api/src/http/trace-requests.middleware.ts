import { IncomingMessage, ServerResponse } from 'node:http';
import { ROOT_CONTEXT, Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { contextFromHeaders, contextWithSpan, isTracingEnabled, startSpan, withContext } from '@app/observability';
import { routeOf } from './http-metrics.middleware';

const SPAN = Symbol('requestSpan');
type TracedResponse = ServerResponse & { [SPAN]?: Span };

/** Names the span by its route template once routing is done, and ends it (also when the client hung up). */
function endRequestSpan(this: TracedResponse): void {
  const span = this[SPAN];
  if (!span) return;
  this[SPAN] = undefined;
  const method = this.req.method ?? 'HTTP';
  const route = routeOf(this.req);
  span.updateName(`${method} ${route}`);
  span.setAttribute(ATTR_HTTP_ROUTE, route);
  if (this.writableFinished) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, this.statusCode);
  if (this.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * The request's server span, active for everything the request does (so commands it publishes carry its
 * trace). A client's own `traceparent` is continued. With tracing off, it only calls next().
 */
export function traceRequests(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  if (!isTracingEnabled()) return next();
  const parent = contextFromHeaders(request.headers) ?? ROOT_CONTEXT;
  const span = startSpan(
    request.method ?? 'HTTP',
    {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_URL_PATH]: request.url?.split('?')[0] },
    },
    parent,
  )!;
  (response as TracedResponse)[SPAN] = span;
  response.on('close', endRequestSpan);
  withContext(contextWithSpan(span, parent), next);
}
