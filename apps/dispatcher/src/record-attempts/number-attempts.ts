import { DeliveryLogV1 } from '@app/contracts';
import { AttemptState, deliveryIdOf } from '@app/persistence';

/** Attempt ids a delivery row remembers as counted: far more than one replayed batch holds of one delivery. */
export const COUNTED_ATTEMPTS_KEPT = 20;

export interface NumberedAttempts {
  /** The batch's logs; each attempt not counted before carries its number. */
  logs: DeliveryLogV1[];
  /** Stored attempts whose number (the dispatcher's guess when it sent) is not the one they get here. */
  renumbered: { attemptId: string; attemptNumber: number }[];
  /** Per delivery that counted new attempts: its count now, and the attempt ids it remembers as counted. */
  counts: Map<string, { attempts: number; countedAttemptIds: string[] }>;
}

/**
 * Numbers a batch of attempt logs in the order the attempts were made: those the delivery row has not
 * counted yet follow its count, oldest first; those it has (a replayed batch) change nothing. The log
 * writer is the only writer of an event's rows at a time (logs are keyed by event), so counting here, not
 * where the attempt was sent, never hands one number out twice: two dispatchers sending a manual retry
 * and an automatic one at once both guessed the same number.
 */
export function numberAttempts(
  logs: DeliveryLogV1[],
  rows: ReadonlyMap<string, Pick<AttemptState, 'attempts' | 'countedAttemptIds'>>,
): NumberedAttempts {
  const fresh = new Map<string, DeliveryLogV1[]>();
  for (const log of logs) {
    const id = deliveryIdOf(log.eventId, log.webhookId);
    if (rows.get(id)?.countedAttemptIds?.includes(log.attemptId)) continue;
    const pending = fresh.get(id) ?? [];
    if (!pending.some(({ attemptId }) => attemptId === log.attemptId)) pending.push(log);
    fresh.set(id, pending);
  }
  const assigned = new Map<string, number>();
  const renumbered: NumberedAttempts['renumbered'] = [];
  const counts: NumberedAttempts['counts'] = new Map();
  for (const [id, pending] of fresh) {
    const row = rows.get(id);
    let count = row?.attempts ?? 0;
    pending.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.attemptId.localeCompare(b.attemptId));
    for (const log of pending) {
      count += 1;
      assigned.set(log.attemptId, count);
      if (log.attemptNumber !== count) renumbered.push({ attemptId: log.attemptId, attemptNumber: count });
    }
    const countedAttemptIds = [...(row?.countedAttemptIds ?? []), ...pending.map(({ attemptId }) => attemptId)];
    counts.set(id, { attempts: count, countedAttemptIds: countedAttemptIds.slice(-COUNTED_ATTEMPTS_KEPT) });
  }
  return {
    logs: logs.map((log) =>
      assigned.has(log.attemptId) ? { ...log, attemptNumber: assigned.get(log.attemptId)! } : log,
    ),
    renumbered,
    counts,
  };
}
