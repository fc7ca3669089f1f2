import { Logger } from '@nestjs/common';
import { sleep } from './sleep';

const FIRST_WAIT_MS = 200;
const LONGEST_WAIT_MS = 5_000;

/**
 * Runs `work` until it succeeds: while MongoDB or Kafka is away the dispatcher waits and carries on by
 * itself, holding its uncommitted offsets, rather than dropping or dead-lettering good commands. With
 * `isUnavailable`, any other error is thrown at once: retried for ever, one poison message would stall
 * its partition.
 */
export async function untilAvailable<T>(
  logger: Logger,
  what: string,
  work: () => Promise<T>,
  isUnavailable: (error: unknown) => boolean = () => true,
): Promise<T> {
  let wait = FIRST_WAIT_MS;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      logger.warn(`${what} failed, retrying in ${wait} ms: ${(error as Error).message}`);
      await sleep(wait);
      wait = Math.min(wait * 2, LONGEST_WAIT_MS);
    }
  }
}
