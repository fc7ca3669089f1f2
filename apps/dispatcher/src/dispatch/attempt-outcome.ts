import { DeliveryErrorKind, DeliveryStatus, DeliveryTrigger } from '@app/contracts';
import { GONE_DISABLE_REASON, GONE_STATUS, RETRY_AFTER_STATUSES } from '../policy/delivery-policy';

export interface AttemptResult {
  success: boolean;
  statusCode: number | null;
  errorKind: DeliveryErrorKind | null;
  retryAfterMs: number | null;
}

export interface DeliveryBefore {
  status: DeliveryStatus;
  scheduledFailures: number;
  nextAttemptAt: Date | null;
}

export interface SchedulePolicy {
  retryDelaysMs: number[];
  jitter: number;
  throttledMinDelayMs: number;
  retryAfterMaxMs: number;
}

export interface AttemptConsequence {
  deliveryStatus: DeliveryStatus;
  scheduledFailures: number;
  /** undefined: leave the schedule as it is (a manual attempt that failed). */
  nextAttemptAt: Date | null | undefined;
  disableReason: string | null;
}

/**
 * What an attempt means for its delivery. A manual attempt is one extra try: its failure leaves the
 * automatic schedule alone, and any success ends the schedule.
 */
export function consequenceOf(
  trigger: DeliveryTrigger,
  result: AttemptResult,
  before: DeliveryBefore,
  policy: SchedulePolicy,
  now: Date,
  random: () => number = Math.random,
): AttemptConsequence {
  if (result.success) {
    return {
      deliveryStatus: DeliveryStatus.Delivered,
      scheduledFailures: before.scheduledFailures,
      nextAttemptAt: null,
      disableReason: null,
    };
  }
  if (result.statusCode === GONE_STATUS) {
    return {
      deliveryStatus: DeliveryStatus.Failed,
      scheduledFailures: before.scheduledFailures,
      nextAttemptAt: null,
      disableReason: GONE_DISABLE_REASON,
    };
  }
  if (result.errorKind === DeliveryErrorKind.WebhookDisabled) {
    return {
      deliveryStatus: DeliveryStatus.Failed,
      scheduledFailures: before.scheduledFailures,
      nextAttemptAt: null,
      disableReason: null,
    };
  }
  if (trigger === DeliveryTrigger.Manual) {
    const stillScheduled = before.status === DeliveryStatus.Pending || before.status === DeliveryStatus.Retrying;
    return {
      deliveryStatus: stillScheduled ? before.status : DeliveryStatus.Failed,
      scheduledFailures: before.scheduledFailures,
      nextAttemptAt: undefined,
      disableReason: null,
    };
  }
  const failures = before.scheduledFailures + 1;
  if (failures > policy.retryDelaysMs.length) {
    return {
      deliveryStatus: DeliveryStatus.Failed,
      scheduledFailures: failures,
      nextAttemptAt: null,
      disableReason: null,
    };
  }
  const delay = retryDelayMs(failures, result, policy, random);
  return {
    deliveryStatus: DeliveryStatus.Retrying,
    scheduledFailures: failures,
    nextAttemptAt: new Date(now.getTime() + delay),
    disableReason: null,
  };
}

/** The wait before the next automatic attempt after the `failures`-th failure. */
export function retryDelayMs(
  failures: number,
  result: AttemptResult,
  policy: SchedulePolicy,
  random: () => number,
): number {
  const base = policy.retryDelaysMs[failures - 1];
  let delay = Math.round(base * (1 + policy.jitter * (2 * random() - 1)));
  const throttled = result.errorKind === DeliveryErrorKind.Timeout || result.statusCode === 429;
  if (throttled) delay = Math.max(delay, policy.throttledMinDelayMs);
  if (result.statusCode !== null && RETRY_AFTER_STATUSES.has(result.statusCode) && result.retryAfterMs !== null) {
    delay = Math.max(delay, Math.min(result.retryAfterMs, policy.retryAfterMaxMs));
  }
  return delay;
}
