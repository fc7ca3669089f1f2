import { DeliveryMinuteDto, OutcomeCountsDto } from '../../dtos/deliveries-per-minute.dto';
import { AttemptOutcomeFields } from '../../delivery-attempt-stats.reader';

export const MINUTE_MS = 60_000;

export type Outcome = keyof OutcomeCountsDto;

/** 2xx, any other answer, or no answer at all (statusCode is null exactly when no response arrived). */
export function outcomeOf(attempt: Pick<AttemptOutcomeFields, 'success' | 'statusCode'>): Outcome {
  if (attempt.success) return 'succeeded';
  return attempt.statusCode === null || attempt.statusCode === undefined ? 'noResponse' : 'httpError';
}

/**
 * `minutes` empty one-minute buckets ending with the minute that contains `now`, oldest first, and a
 * function that counts an attempt into its bucket (attempts outside the window are ignored).
 */
export function minuteBuckets(now: Date, minutes: number) {
  const to = new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  const from = new Date(to.getTime() - minutes * MINUTE_MS);
  const buckets: DeliveryMinuteDto[] = Array.from({ length: minutes }, (_, index) => ({
    minute: new Date(from.getTime() + index * MINUTE_MS),
    succeeded: 0,
    httpError: 0,
    noResponse: 0,
  }));
  const totals: OutcomeCountsDto = { succeeded: 0, httpError: 0, noResponse: 0 };
  const count = (attempt: AttemptOutcomeFields): void => {
    const index = Math.floor((new Date(attempt.startedAt).getTime() - from.getTime()) / MINUTE_MS);
    if (index < 0 || index >= minutes) return;
    const outcome = outcomeOf(attempt);
    buckets[index][outcome] += 1;
    totals[outcome] += 1;
  };
  return { from, to, buckets, totals, count };
}
