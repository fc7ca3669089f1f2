import { randomUUID } from 'node:crypto';
import { MetricSample, parsePrometheusText, samplesOf } from '../support/prometheus-text';
import { createEvent, createWebhook } from './support/fixtures';
import { ApiTestApp, startApiTestApp, TestTenant } from './support/api-test-app';

/**
 * The API's HTTP and Kafka metrics, as Prometheus scrapes them from the ops listener: requests counted
 * by method, route template (never the raw URL) and status, with their latency, and the time of Kafka
 * produce requests.
 */
describe('API metrics on the ops listener', () => {
  let api: ApiTestApp;
  let tenant: TestTenant;
  let metricsUrl: string;

  beforeAll(async () => {
    api = await startApiTestApp('http_metrics');
    tenant = await api.newTenant('metrics');
    const { OpsListener } = await import('@app/observability');
    const port = await api.app.get(OpsListener).listen(0, '127.0.0.1');
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  });
  afterAll(async () => api?.close());

  const scrape = async () => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    const text = await response.text();
    return { text, samples: parsePrometheusText(text) };
  };
  const valueOf = (samples: MetricSample[], name: string, labels: Record<string, string>) =>
    samplesOf(samples, name, labels).reduce((sum, sample) => sum + sample.value, 0);
  const requests = (samples: MetricSample[], method: string, route: string, status: string) =>
    valueOf(samples, 'webhook_api_http_request_duration_seconds_count', { method, route, status });

  it('counts requests by method, route template and status, with their latency', async () => {
    const before = (await scrape()).samples;
    const unknownEvent = randomUUID();

    for (let n = 0; n < 3; n += 1) await api.http().get('/v1/whoami').set(tenant.auth).expect(200);
    await api.http().get('/v1/whoami').expect(401);
    await api.http().get(`/v1/webhooks/events/${unknownEvent}/status`).set(tenant.auth).expect(404);
    await api.http().post(`/v1/webhooks/events/${unknownEvent}/retry`).set(tenant.auth).expect(404);
    await api.http().get(`/no/such/path/${unknownEvent}`).expect(404);

    const { text, samples } = await scrape();
    const counted: [string, string, string, number][] = [
      ['GET', '/v1/whoami', '200', 3],
      ['GET', '/v1/whoami', '401', 1],
      ['GET', '/v1/webhooks/events/:eventId/status', '404', 1],
      ['POST', '/v1/webhooks/events/:eventId/retry', '404', 1],
      ['GET', 'unmatched', '404', 1],
    ];
    for (const [method, route, status, count] of counted) {
      expect({
        method,
        route,
        status,
        count: requests(samples, method, route, status) - requests(before, method, route, status),
      }).toEqual({ method, route, status, count });
    }

    // Every request lands in a bucket: the +Inf bucket equals the count, and time was measured.
    const whoami = { method: 'GET', route: '/v1/whoami', status: '200' };
    const name = 'webhook_api_http_request_duration_seconds';
    expect(valueOf(samples, `${name}_bucket`, { ...whoami, le: '+Inf' })).toBe(
      valueOf(samples, `${name}_count`, whoami),
    );
    expect(valueOf(samples, `${name}_sum`, whoami)).toBeGreaterThan(0);

    // Labels are templates: the ids and paths clients sent are nowhere.
    expect(text).not.toContain(unknownEvent);
    expect(text).not.toContain('/no/such/path');
  });

  it('times Kafka produce requests: an event for a subscribed webhook adds one', async () => {
    await createWebhook(api, tenant, { eventTypes: ['invoice.paid'] });
    const produced = (samples: MetricSample[]) =>
      valueOf(samples, 'webhook_kafka_produce_duration_seconds_count', { outcome: 'ok' });
    const before = produced((await scrape()).samples);

    await createEvent(api, tenant, 'invoice.paid');

    const { samples } = await scrape();
    expect(produced(samples)).toBeGreaterThan(before);
    expect(valueOf(samples, 'webhook_kafka_produce_duration_seconds_sum', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(requests(samples, 'POST', '/v1/webhooks/events', '201')).toBe(1);
  });
});
