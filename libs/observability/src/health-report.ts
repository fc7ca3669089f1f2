import { ServiceUnavailableException } from '@nestjs/common';

/** A health check's outcome with everything it found: for the ops listener, never the public port. */
export interface HealthReport {
  healthy: boolean;
  details: unknown;
}

/** An app's health checks, answered in full on the ops listener and as a bare status on the public port. */
export abstract class AppHealth {
  abstract live(): Promise<HealthReport>;
  abstract ready(): Promise<HealthReport>;
}

export const NOT_HEALTHY_MESSAGE = 'Service unavailable';

/** Runs a terminus check, which throws its full result as a 503 when something is down. */
export async function reportOf(check: () => Promise<unknown>): Promise<HealthReport> {
  try {
    return { healthy: true, details: await check() };
  } catch (error) {
    if (error instanceof ServiceUnavailableException) return { healthy: false, details: error.getResponse() };
    throw error;
  }
}

/**
 * What the public port answers: the status alone. Which dependency is down, and its error (addresses,
 * broker counts), stays on the ops listener.
 */
export function publicStatus(report: HealthReport): { status: 'ok' } {
  if (!report.healthy) throw new ServiceUnavailableException(NOT_HEALTHY_MESSAGE);
  return { status: 'ok' };
}
