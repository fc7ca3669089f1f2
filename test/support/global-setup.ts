import { testStack } from './infra';

/**
 * Takes a lease on the test stack (Kafka + FerretDB on the test ports), starting whatever is not
 * listening yet. `npm test` has usually started it already; run on its own, jest starts it here.
 * Several runs may share the stack; the last to release it stops what was started for tests.
 */
export default async function globalSetup(): Promise<void> {
  try {
    testStack('acquire', process.pid);
  } catch (error) {
    testStack('release', process.pid); // jest skips globalTeardown when globalSetup fails
    throw error;
  }
}
