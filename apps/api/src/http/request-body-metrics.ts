import { Counter } from 'prom-client';
import { metricsRegistry } from '@app/observability';

/** Counted by the JSON parser once it has read a body, just before parsing it. */
export const parsedBodies = new Counter({
  name: 'webhook_api_request_bodies_parsed_total',
  help: 'JSON request bodies the API read and parsed; on /v1 only those of requests whose token was accepted.',
  registers: [metricsRegistry],
});
