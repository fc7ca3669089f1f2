import { Histogram } from 'prom-client';
import { metricsRegistry } from '@app/observability';

/**
 * Time of one produce request, from sending it to every in-sync replica's acknowledgement. A request
 * carries every message coalesced while the previous one was on the wire, so its count is requests, not
 * messages.
 */
export const produceDuration = new Histogram({
  name: 'webhook_kafka_produce_duration_seconds',
  help: 'Kafka produce requests (acks=all) by outcome (ok, error): time until acknowledged or failed.',
  labelNames: ['outcome'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const produceSucceeded = produceDuration.labels('ok');
export const produceFailed = produceDuration.labels('error');
