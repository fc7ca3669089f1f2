import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';

/** Most bytes of a receiver's response kept in the log: enough to debug, small enough to store per attempt. */
export const RESPONSE_EXCERPT_BYTES = 4 * 1024;
/** Longest error message kept in the log. */
export const ERROR_MESSAGE_CHARS = 500;
/** A delivery's hold on its partition (and a FIFO step's claim) outlives the request by this much, so a slow response is never taken over mid-flight. */
export const DELIVERY_LEASE_MARGIN_MS = 15_000;
/** Sockets kept per receiving host: enough for many endpoints on one host, bounded so one host can't take them all. */
export const ORIGIN_CONNECTION_CAP = 256;
/** The disabledReason a 410 leaves on a webhook; `endpoint.disabled` tells it apart as reason `gone`. */
export const GONE_DISABLE_REASON = 'The endpoint answered 410 Gone';
/** Statuses that disable the endpoint instead of retrying: the receiver says it is gone for good. */
export const GONE_STATUS = 410;
/** Statuses whose Retry-After header is honoured. */
export const RETRY_AFTER_STATUSES = new Set([429, 503]);

/** The delivery policy, as configured: timeouts, backoff schedule, throttling floors. */
@Injectable()
export class DeliveryPolicy {
  readonly connectTimeoutMs: number;
  readonly totalTimeoutMs: number;
  /** Delay before automatic retry n+1 (index n) after a failure of the first attempt or of retry n. */
  readonly retryDelaysMs: number[];
  readonly jitter: number;
  readonly throttledMinDelayMs: number;
  readonly retryAfterMaxMs: number;
  readonly autoDisableAfterMs: number;
  readonly deliveryLeaseMs: number;

  constructor(config: AppConfig) {
    this.connectTimeoutMs = config.durationMs('DELIVERY_CONNECT_TIMEOUT');
    this.totalTimeoutMs = config.durationMs('DELIVERY_TIMEOUT');
    this.retryDelaysMs = config.durationListMs('RETRY_SCHEDULE');
    this.jitter = config.get('RETRY_JITTER');
    this.throttledMinDelayMs = config.durationMs('RETRY_THROTTLED_MIN_DELAY');
    this.retryAfterMaxMs = config.durationMs('RETRY_AFTER_MAX');
    this.autoDisableAfterMs = config.durationMs('AUTO_DISABLE_AFTER');
    this.deliveryLeaseMs = this.totalTimeoutMs + DELIVERY_LEASE_MARGIN_MS;
  }
}
