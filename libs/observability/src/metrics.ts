import { collectDefaultMetrics, Registry } from 'prom-client';

/** One registry per process; the apps register their own metrics on it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
