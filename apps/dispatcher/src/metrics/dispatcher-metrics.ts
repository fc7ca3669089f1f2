import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@app/observability';

/** What a command partition can wait on before its next batch (see waitingPartitions). */
export const BACK_PRESSURE_CAPS = ['max_in_flight', 'payload_bytes'] as const;
export type BackPressureCap = (typeof BACK_PRESSURE_CAPS)[number];

/** The dispatcher's Prometheus metrics, registered once per process. */
@Injectable()
export class DispatcherMetrics {
  readonly deliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Delivery attempts by outcome (success, http_<status class>, or the error kind) and trigger.',
    labelNames: ['outcome', 'trigger'] as const,
    registers: [metricsRegistry],
  });

  readonly attemptDuration = new Histogram({
    name: 'webhook_attempt_duration_seconds',
    help: 'Time from sending a webhook to reading its response.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [metricsRegistry],
  });

  readonly scheduledRetries = new Gauge({
    name: 'webhook_scheduled_retries',
    help: 'Deliveries waiting for an automatic retry.',
    registers: [metricsRegistry],
  });

  readonly deadLettered = new Counter({
    name: 'webhook_dead_lettered_total',
    help: 'Messages sent to the dead-letter topic, by source topic.',
    labelNames: ['topic'] as const,
    registers: [metricsRegistry],
  });

  readonly inFlight = new Gauge({
    name: 'webhook_deliveries_in_flight',
    help: 'Commands consumed but not yet finished (the consumer stops fetching at DISPATCHER_MAX_IN_FLIGHT).',
    registers: [metricsRegistry],
  });

  readonly payloadBytesInFlight = new Gauge({
    name: 'webhook_payload_bytes_in_flight',
    help: 'Event payload bytes held by deliveries in flight (bounded by DISPATCHER_MAX_IN_FLIGHT_BYTES).',
    registers: [metricsRegistry],
  });

  /** Back-pressure: a partition counted here takes no new commands until the cap it waits on frees up. */
  readonly waitingPartitions = new Gauge({
    name: 'webhook_dispatcher_waiting_partitions',
    help:
      'Command partitions whose batch waits on a cap: max_in_flight (DISPATCHER_MAX_IN_FLIGHT deliveries) or ' +
      'payload_bytes (DISPATCHER_MAX_IN_FLIGHT_BYTES).',
    labelNames: ['cap'] as const,
    registers: [metricsRegistry],
  });

  readonly endpointQueued = new Gauge({
    name: 'webhook_endpoint_queued_deliveries',
    help: 'Deliveries waiting for a free slot at their endpoint (ENDPOINT_CONCURRENCY), all endpoints together.',
    registers: [metricsRegistry],
  });

  readonly endpointRateWaiting = new Gauge({
    name: 'webhook_endpoint_rate_waiting_deliveries',
    help: "Deliveries waiting for their webhook's rateLimit (this dispatcher's share of it), all webhooks together.",
    registers: [metricsRegistry],
  });

  constructor() {
    // Both caps are listed from the start, so a dashboard shows 0 rather than no data.
    for (const cap of BACK_PRESSURE_CAPS) this.waitingPartitions.set({ cap }, 0);
  }

  readonly fifoHeld = new Counter({
    name: 'webhook_fifo_held_total',
    help: 'FIFO deliveries held back behind an older delivery to the same webhook that is still open.',
    registers: [metricsRegistry],
  });

  readonly fifoReleased = new Counter({
    name: 'webhook_fifo_released_total',
    help: 'Commands published to send the next delivery of a FIFO webhook.',
    registers: [metricsRegistry],
  });

  readonly retentionDeleted = new Counter({
    name: 'webhook_retention_deleted_total',
    help: 'Documents deleted by the retention purge, by collection.',
    labelNames: ['collection'] as const,
    registers: [metricsRegistry],
  });
}
