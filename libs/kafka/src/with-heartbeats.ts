/** Often enough to stay well inside any session timeout the broker allows (6 s minimum by default). */
const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Runs a slow step of a batch (database writes) while heartbeating the group. kafkajs has no background
 * heartbeat: it only beats between fetches and when the batch handler calls heartbeat(), so a write
 * that outlasts the session timeout gets the member expelled, and a replay of the same slow batch gets
 * it expelled again. Errors from these beats (a rebalance started) are left to the handler's next own
 * heartbeat() call, which throws them where kafkajs expects.
 */
export async function withHeartbeats<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
