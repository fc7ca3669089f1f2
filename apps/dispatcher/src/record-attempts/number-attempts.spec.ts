import { randomUUID } from 'node:crypto';
import { DeliveryLogV1 } from '@app/contracts';
import { deliveryIdOf } from '@app/persistence';
import { COUNTED_ATTEMPTS_KEPT, numberAttempts } from './number-attempts';

const eventId = randomUUID();
const webhookA = randomUUID();
const webhookB = randomUUID();
const deliveryA = deliveryIdOf(eventId, webhookA);
const deliveryB = deliveryIdOf(eventId, webhookB);
const log = (webhookId: string, second: number, dispatcherGuess = 1): DeliveryLogV1 =>
  ({
    attemptId: randomUUID(),
    eventId,
    webhookId,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    attemptNumber: dispatcherGuess,
  }) as DeliveryLogV1;
const numbers = (logs: DeliveryLogV1[]) => logs.map(({ attemptNumber }) => attemptNumber);

describe('numberAttempts', () => {
  it('numbers a manual retry sent before the initial attempt was recorded after it, and renumbers it', () => {
    // Both dispatchers read the row before either attempt was recorded, so both guessed "attempt 1".
    const initial = log(webhookA, 1, 1);
    const manual = log(webhookA, 2, 1);

    const numbered = numberAttempts([manual, initial], new Map());

    expect(numbers(numbered.logs)).toEqual([2, 1]);
    expect(numbered.renumbered).toEqual([{ attemptId: manual.attemptId, attemptNumber: 2 }]);
    expect(numbered.counts.get(deliveryA)).toEqual({
      attempts: 2,
      countedAttemptIds: [initial.attemptId, manual.attemptId],
    });
  });

  it('continues from the count already stored, per delivery, oldest first', () => {
    const logs = [log(webhookB, 5), log(webhookA, 3, 6), log(webhookA, 1, 5), log(webhookB, 4)];
    const rows = new Map([
      [deliveryA, { attempts: 4, countedAttemptIds: [] }],
      [deliveryB, { attempts: 0 }],
    ]);

    const numbered = numberAttempts(logs, rows);

    expect(numbers(numbered.logs)).toEqual([2, 6, 5, 1]);
    // The dispatcher guessed right for delivery A's two attempts.
    expect(numbered.renumbered).toEqual([{ attemptId: logs[0].attemptId, attemptNumber: 2 }]);
    expect(numbered.counts.get(deliveryA)?.attempts).toBe(6);
    expect(numbered.counts.get(deliveryB)?.attempts).toBe(2);
  });

  it('counts nothing again for a replayed attempt, and numbers a new one after the count', () => {
    const replayed = log(webhookA, 1, 1);
    const fresh = log(webhookA, 2, 1);
    const rows = new Map([[deliveryA, { attempts: 1, countedAttemptIds: [replayed.attemptId] }]]);

    const numbered = numberAttempts([replayed, fresh], rows);

    expect(numbers(numbered.logs)).toEqual([1, 2]);
    expect(numbered.renumbered).toEqual([{ attemptId: fresh.attemptId, attemptNumber: 2 }]);
    expect(numbered.counts.get(deliveryA)).toEqual({
      attempts: 2,
      countedAttemptIds: [replayed.attemptId, fresh.attemptId],
    });
  });

  it('changes nothing for a batch counted already', () => {
    const replayed = log(webhookA, 1, 1);
    const rows = new Map([[deliveryA, { attempts: 1, countedAttemptIds: [replayed.attemptId] }]]);

    const numbered = numberAttempts([replayed], rows);

    expect(numbered).toEqual({ logs: [replayed], renumbered: [], counts: new Map() });
  });

  it('gives the same log read twice in one batch one number', () => {
    const once = log(webhookA, 1);

    const numbered = numberAttempts([once, { ...once }], new Map());

    expect(numbers(numbered.logs)).toEqual([1, 1]);
    expect(numbered.counts.get(deliveryA)?.attempts).toBe(1);
  });

  it('remembers only the latest counted attempts', () => {
    const earlier = Array.from({ length: COUNTED_ATTEMPTS_KEPT }, () => randomUUID());
    const fresh = log(webhookA, 1, COUNTED_ATTEMPTS_KEPT + 1);
    const rows = new Map([[deliveryA, { attempts: COUNTED_ATTEMPTS_KEPT, countedAttemptIds: earlier }]]);

    const { counts } = numberAttempts([fresh], rows);

    expect(counts.get(deliveryA)?.countedAttemptIds).toEqual([...earlier.slice(1), fresh.attemptId]);
  });
});
