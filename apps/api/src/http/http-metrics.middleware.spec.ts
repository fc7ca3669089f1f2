import { EventEmitter } from 'node:events';
import { ServerResponse } from 'node:http';
import { httpRequestDuration, recordHttpMetrics, UNMATCHED_ROUTE } from './http-metrics.middleware';

/** A request through the middleware, routed (or not) as Express would, answered with `status`. */
function serve(method: string, url: string, status: number, route?: { path: string; methods: object }): void {
  const response = Object.assign(new EventEmitter(), { req: { method, url, route }, statusCode: status });
  recordHttpMetrics(response.req as never, response as unknown as ServerResponse, () => undefined);
  response.emit('finish');
}

async function counts(): Promise<Record<string, number>> {
  const { values } = await httpRequestDuration.get();
  return Object.fromEntries(
    values
      .filter((value) => value.metricName === 'webhook_api_http_request_duration_seconds_count')
      .map((value) => [`${value.labels.method} ${value.labels.route} ${value.labels.status}`, value.value]),
  );
}

describe('recordHttpMetrics', () => {
  beforeEach(() => httpRequestDuration.reset());

  it('labels a request with its controller route’s template, never its URL', async () => {
    const retry = { path: '/v1/webhooks/events/:eventId/retry', methods: { post: true } };
    serve('POST', '/v1/webhooks/events/e-1/retry', 202, retry);
    serve('POST', '/v1/webhooks/events/e-2/retry', 202, retry);
    serve('POST', '/v1/webhooks/events/e-3/retry', 404, retry);
    expect(await counts()).toEqual({
      'POST /v1/webhooks/events/:eventId/retry 202': 2,
      'POST /v1/webhooks/events/:eventId/retry 404': 1,
    });
  });

  it('gives requests no controller took one fixed route label, whatever their path', async () => {
    const middlewareRoute = { path: '/{*path}', methods: { get: true, post: true, delete: true } };
    serve('GET', '/a', 404);
    serve('GET', '/b/c', 404, middlewareRoute);
    serve('POST', '/v1/webhooks', 400, middlewareRoute);
    expect(await counts()).toEqual({ [`GET ${UNMATCHED_ROUTE} 404`]: 2, [`POST ${UNMATCHED_ROUTE} 400`]: 1 });
  });
});
