import { DeliveryLogV1 } from '@app/contracts';
import { deliveryIdOf } from '@app/persistence';

/**
 * Numbers a batch of attempt logs in the order the attempts were made: an attempt stored before keeps
 * its number (a replayed batch changes nothing); the others follow the delivery's stored count, oldest
 * first. The log writer is the only writer of an event's attempts at a time (logs are keyed by event), so
 * counting here, not where the attempt was sent, never hands one number out twice.
 */
export function numberAttempts(
  logs: DeliveryLogV1[],
  storedNumbers: ReadonlyMap<string, number>,
  storedCounts: ReadonlyMap<string, number>,
): DeliveryLogV1[] {
  const last = new Map<string, number>();
  for (const log of logs) {
    const stored = storedNumbers.get(log.attemptId);
    const id = deliveryIdOf(log.eventId, log.webhookId);
    last.set(id, Math.max(last.get(id) ?? storedCounts.get(id) ?? 0, stored ?? 0));
  }
  const assigned = new Map(storedNumbers);
  const fresh = logs
    .filter((log) => !storedNumbers.has(log.attemptId))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.attemptId.localeCompare(b.attemptId));
  for (const log of fresh) {
    if (assigned.has(log.attemptId)) continue; // the same log twice in one batch
    const id = deliveryIdOf(log.eventId, log.webhookId);
    const next = last.get(id)! + 1;
    last.set(id, next);
    assigned.set(log.attemptId, next);
  }
  return logs.map((log) => ({ ...log, attemptNumber: assigned.get(log.attemptId)! }));
}
