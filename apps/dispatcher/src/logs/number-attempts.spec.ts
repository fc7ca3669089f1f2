import { randomUUID } from 'node:crypto';
import { DeliveryLogV1 } from '@app/contracts';
import { deliveryIdOf } from '@app/persistence';
import { numberAttempts } from './number-attempts';

const eventId = randomUUID();
const webhookA = randomUUID();
const webhookB = randomUUID();
const log = (webhookId: string, second: number, dispatcherNumber = 1): DeliveryLogV1 =>
  ({
    attemptId: randomUUID(),
    eventId,
    webhookId,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    attemptNumber: dispatcherNumber,
  }) as DeliveryLogV1;
const numbers = (logs: DeliveryLogV1[]) => logs.map(({ attemptNumber }) => attemptNumber);

describe('numberAttempts', () => {
  it('numbers a manual retry sent before the initial attempt was stored after it, not beside it', () => {
    // Both dispatchers read the row before either attempt was recorded, so both said "attempt 1".
    const initial = log(webhookA, 1, 1);
    const manual = log(webhookA, 2, 1);

    expect(numbers(numberAttempts([manual, initial], new Map(), new Map()))).toEqual([2, 1]);
  });

  it('continues from the count already stored, per delivery, oldest first', () => {
    const logs = [log(webhookB, 5), log(webhookA, 3), log(webhookA, 1), log(webhookB, 4)];
    const counts = new Map([
      [deliveryIdOf(eventId, webhookA), 4],
      [deliveryIdOf(eventId, webhookB), 0],
    ]);

    expect(numbers(numberAttempts(logs, new Map(), counts))).toEqual([2, 6, 5, 1]);
  });

  it('keeps the stored number of a replayed attempt and numbers new ones after it', () => {
    // A crash after the attempts were stored but before the row's count moved: the row still says 0.
    const replayed = log(webhookA, 1);
    const fresh = log(webhookA, 2);

    const numbered = numberAttempts([replayed, fresh], new Map([[replayed.attemptId, 1]]), new Map());

    expect(numbers(numbered)).toEqual([1, 2]);
  });

  it('gives the same log read twice in one batch one number', () => {
    const once = log(webhookA, 1);

    expect(numbers(numberAttempts([once, { ...once }], new Map(), new Map()))).toEqual([1, 1]);
  });
});
