import { AppProcess, freePort } from './app-process';
import { testKafkaBrokers } from './infra';

/**
 * A dispatcher (not started yet) on the shared test stack: the suite's Kafka, and its own database at
 * `mongoUri`. `env` adds the suite's settings (retry schedule, timeouts, allowlist) or overrides these.
 */
export async function testDispatcher(
  label: string,
  mongoUri: string,
  env: Record<string, string> = {},
): Promise<AppProcess> {
  return new AppProcess(
    'dispatcher',
    await freePort(),
    { KAFKA_BROKERS: testKafkaBrokers(), MONGODB_URI: mongoUri, ...env },
    label,
  );
}

/** `testDispatcher`, started (and ready). */
export async function startTestDispatcher(
  label: string,
  mongoUri: string,
  env: Record<string, string> = {},
): Promise<AppProcess> {
  return (await testDispatcher(label, mongoUri, env)).start();
}
