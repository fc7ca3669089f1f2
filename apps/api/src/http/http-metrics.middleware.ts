import { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Histogram } from 'prom-client';
import { metricsRegistry } from '@app/observability';

/** The route label of requests no route took (unknown paths, bodies refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Requests by method, route template and status; its _count is the request count. The route is the
 * template Express matched (`/v1/webhooks/events/:eventId/retry`), never the URL, so the number of series
 * stays bounded whatever clients send.
 */
export const httpRequestDuration = new Histogram({
  name: 'webhook_api_http_request_duration_seconds',
  help: 'API requests by method, route template and status: time from arrival to the last byte of the answer.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

type Child = ReturnType<typeof httpRequestDuration.labels>;
/** route → method → status → child: each label set is built once, then found without allocating. */
const children = new Map<string, Map<string, Map<number, Child>>>();

function childFor(route: string, method: string, status: number): Child {
  let byMethod = children.get(route);
  if (!byMethod) children.set(route, (byMethod = new Map()));
  let byStatus = byMethod.get(method);
  if (!byStatus) byMethod.set(method, (byStatus = new Map()));
  let child = byStatus.get(status);
  if (!child) byStatus.set(status, (child = httpRequestDuration.labels(method, route, String(status))));
  return child;
}

const STARTED = Symbol('httpMetricsStarted');
type TimedResponse = ServerResponse & { [STARTED]?: number };

type RoutedRequest = IncomingMessage & { route?: { path?: unknown; methods?: Record<string, boolean> } };

/**
 * The template of the controller route Express matched. Module middleware (the request logger's
 * forRoutes('*')) is mounted as a route at `/{*path}` for every method and sets `req.route` too, whereas
 * Nest mounts each controller route for its one method: a route of several methods is not a controller's.
 */
export function routeOf(request: RoutedRequest): string {
  const route = request.route;
  if (!route || typeof route.path !== 'string' || !route.methods) return UNMATCHED_ROUTE;
  let methods = 0;
  for (const _method in route.methods) if (++methods > 1) return UNMATCHED_ROUTE;
  return route.path;
}

/** One listener function for every response (no closure per request); `this` is the response. */
function recordFinished(this: TimedResponse): void {
  const started = this[STARTED];
  if (started === undefined) return;
  const child = childFor(routeOf(this.req as RoutedRequest), this.req.method ?? '', this.statusCode);
  child.observe((performance.now() - started) / 1000);
}

/**
 * First middleware of the app: times every request until its answer is written ('finish'). An answer the
 * client hung up on before it was written is not counted.
 */
export function recordHttpMetrics(_request: IncomingMessage, response: ServerResponse, next: () => void): void {
  (response as TimedResponse)[STARTED] = performance.now();
  response.on('finish', recordFinished);
  next();
}
