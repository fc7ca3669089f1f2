import { testStack } from './infra';

/** Gives back this run's lease; stops the test stack only if this was the last run using it. */
export default async function globalTeardown(): Promise<void> {
  testStack('release', process.pid);
}
