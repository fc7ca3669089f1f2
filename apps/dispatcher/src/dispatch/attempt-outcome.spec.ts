import { DeliveryErrorKind, DeliveryStatus, DeliveryTrigger } from '@app/contracts';
import { AttemptConsequence, AttemptResult, consequenceOf, DeliveryBefore, SchedulePolicy } from './attempt-outcome';

const { Initial, Automatic, Manual } = DeliveryTrigger;
const { Pending, Retrying, Delivered, Failed } = DeliveryStatus;

const policy: SchedulePolicy = {
  retryDelaysMs: [1_000, 5_000, 30_000],
  jitter: 0.2,
  throttledMinDelayMs: 10_000,
  retryAfterMaxMs: 60_000,
};
const now = new Date('2030-01-01T00:00:00.000Z');
const at = (delayMs: number) => new Date(now.getTime() + delayMs);

const ok: AttemptResult = { success: true, statusCode: 200, errorKind: null, retryAfterMs: null };
const status = (statusCode: number, retryAfterMs: number | null = null): AttemptResult => ({
  success: false,
  statusCode,
  errorKind: null,
  retryAfterMs,
});
const error = (errorKind: DeliveryErrorKind): AttemptResult => ({
  success: false,
  statusCode: null,
  errorKind,
  retryAfterMs: null,
});
const before = (
  state: DeliveryStatus,
  scheduledFailures: number,
  nextAttemptAt: Date | null = null,
): DeliveryBefore => ({
  status: state,
  scheduledFailures,
  nextAttemptAt,
});
const retrying = (scheduledFailures: number, nextAttemptAt: Date): AttemptConsequence => ({
  deliveryStatus: Retrying,
  scheduledFailures,
  nextAttemptAt,
  disableReason: null,
});
const settled = (deliveryStatus: DeliveryStatus, scheduledFailures: number): AttemptConsequence => ({
  deliveryStatus,
  scheduledFailures,
  nextAttemptAt: null,
  disableReason: null,
});

describe('consequenceOf', () => {
  afterEach(() => jest.restoreAllMocks());

  // random: what Math.random answers; 0.5 is no jitter, 0 the shortest wait, 0.75 half the jitter up.
  it.each<[string, DeliveryTrigger, AttemptResult, DeliveryBefore, number, AttemptConsequence]>([
    ['a first attempt that succeeds is delivered', Initial, ok, before(Pending, 0), 0.5, settled(Delivered, 0)],
    [
      'a success ends the schedule and keeps its failure count',
      Automatic,
      ok,
      before(Retrying, 2, at(1)),
      0.5,
      settled(Delivered, 2),
    ],
    ['a manual success ends the schedule too', Manual, ok, before(Retrying, 1, at(1)), 0.5, settled(Delivered, 1)],
    ['a first failure waits the first delay', Initial, status(500), before(Pending, 0), 0.5, retrying(1, at(1_000))],
    [
      'the second failure waits the second delay',
      Automatic,
      status(500),
      before(Retrying, 1),
      0.5,
      retrying(2, at(5_000)),
    ],
    ['the last delay of the schedule', Automatic, status(502), before(Retrying, 2), 0.5, retrying(3, at(30_000))],
    ['a failure past the schedule is final', Automatic, status(500), before(Retrying, 3), 0.5, settled(Failed, 4)],
    [
      'a network error is retried like a 5xx',
      Initial,
      error(DeliveryErrorKind.ConnectionRefused),
      before(Pending, 0),
      0.5,
      retrying(1, at(1_000)),
    ],
    ['a 4xx is retried too', Initial, status(400), before(Pending, 0), 0.5, retrying(1, at(1_000))],
    ['jitter shortens the wait by up to its share', Initial, status(500), before(Pending, 0), 0, retrying(1, at(800))],
    [
      'jitter lengthens it by up to its share',
      Automatic,
      status(500),
      before(Retrying, 1),
      0.75,
      retrying(2, at(5_500)),
    ],
    [
      'a timeout waits at least the throttled minimum',
      Initial,
      error(DeliveryErrorKind.Timeout),
      before(Pending, 0),
      0.5,
      retrying(1, at(10_000)),
    ],
    [
      'a 429 waits at least the throttled minimum',
      Initial,
      status(429),
      before(Pending, 0),
      0.5,
      retrying(1, at(10_000)),
    ],
    [
      'the throttled minimum does not shorten a longer delay',
      Automatic,
      status(429),
      before(Retrying, 2),
      0.5,
      retrying(3, at(30_000)),
    ],
    [
      'a 503 Retry-After longer than the delay is honoured',
      Initial,
      status(503, 20_000),
      before(Pending, 0),
      0.5,
      retrying(1, at(20_000)),
    ],
    [
      'a 429 Retry-After above the throttled minimum is honoured',
      Initial,
      status(429, 45_000),
      before(Pending, 0),
      0.5,
      retrying(1, at(45_000)),
    ],
    [
      'a Retry-After shorter than the delay does not shorten it',
      Automatic,
      status(503, 2_000),
      before(Retrying, 1),
      0.5,
      retrying(2, at(5_000)),
    ],
    [
      'a Retry-After is capped at its maximum',
      Initial,
      status(503, 3_600_000),
      before(Pending, 0),
      0.5,
      retrying(1, at(60_000)),
    ],
    [
      'an endless Retry-After is capped too',
      Initial,
      status(429, Number.POSITIVE_INFINITY),
      before(Pending, 0),
      0.5,
      retrying(1, at(60_000)),
    ],
    [
      'a Retry-After on another status is ignored',
      Initial,
      status(500, 20_000),
      before(Pending, 0),
      0.5,
      retrying(1, at(1_000)),
    ],
    [
      '410 Gone fails the delivery at once and disables the webhook',
      Automatic,
      status(410),
      before(Retrying, 1, at(1)),
      0.5,
      {
        deliveryStatus: Failed,
        scheduledFailures: 1,
        nextAttemptAt: null,
        disableReason: 'The endpoint answered 410 Gone',
      },
    ],
    [
      'a manual 410 disables the webhook as well',
      Manual,
      status(410),
      before(Delivered, 0),
      0.5,
      {
        deliveryStatus: Failed,
        scheduledFailures: 0,
        nextAttemptAt: null,
        disableReason: 'The endpoint answered 410 Gone',
      },
    ],
    [
      'a disabled webhook fails the delivery without a retry',
      Initial,
      error(DeliveryErrorKind.WebhookDisabled),
      before(Pending, 0),
      0.5,
      settled(Failed, 0),
    ],
    [
      'an automatic retry to a disabled webhook fails it too',
      Automatic,
      error(DeliveryErrorKind.WebhookDisabled),
      before(Retrying, 2, at(1)),
      0.5,
      settled(Failed, 2),
    ],
    [
      'a manual failure of a pending delivery leaves its schedule alone',
      Manual,
      status(500),
      before(Pending, 0),
      0.5,
      { deliveryStatus: Pending, scheduledFailures: 0, nextAttemptAt: undefined, disableReason: null },
    ],
    [
      'a manual failure of a retrying delivery leaves its schedule alone',
      Manual,
      error(DeliveryErrorKind.Timeout),
      before(Retrying, 2, at(30_000)),
      0.5,
      { deliveryStatus: Retrying, scheduledFailures: 2, nextAttemptAt: undefined, disableReason: null },
    ],
    [
      'a manual failure of a delivered one marks it failed, no retry scheduled',
      Manual,
      status(500),
      before(Delivered, 0),
      0.5,
      { deliveryStatus: Failed, scheduledFailures: 0, nextAttemptAt: undefined, disableReason: null },
    ],
    [
      'a manual failure of an exhausted one keeps it failed',
      Manual,
      status(503, 20_000),
      before(Failed, 4),
      0.5,
      { deliveryStatus: Failed, scheduledFailures: 4, nextAttemptAt: undefined, disableReason: null },
    ],
  ])('%s', (_story, trigger, result, state, random, expected) => {
    jest.spyOn(Math, 'random').mockReturnValue(random);
    expect(consequenceOf(trigger, result, state, policy, now)).toEqual(expected);
  });

  it('keeps every jittered wait within the jitter share of its delay', () => {
    for (const [failuresBefore, base] of policy.retryDelaysMs.entries()) {
      const waits = Array.from({ length: 500 }, () => {
        const { nextAttemptAt } = consequenceOf(Automatic, status(500), before(Retrying, failuresBefore), policy, now);
        return nextAttemptAt!.getTime() - now.getTime();
      });
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(base * (1 - policy.jitter));
      expect(Math.max(...waits)).toBeLessThanOrEqual(base * (1 + policy.jitter));
      // Spread out, not one value: retries of a burst of failures do not all land at once.
      expect(new Set(waits).size).toBeGreaterThan(1);
    }
  });

  it('waits exactly the schedule when jitter is off', () => {
    const exact = { ...policy, jitter: 0 };
    const { nextAttemptAt } = consequenceOf(Initial, status(500), before(Pending, 0), exact, now, () => 0.99);
    expect(nextAttemptAt).toEqual(at(1_000));
  });

  it('fails at once with an empty schedule', () => {
    const none = { ...policy, retryDelaysMs: [] };
    expect(consequenceOf(Initial, status(500), before(Pending, 0), none, now)).toEqual(settled(Failed, 1));
  });
});
