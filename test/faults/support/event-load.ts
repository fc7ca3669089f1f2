import { sleep, waitFor } from '../../support/wait-for';
import { ApiClient } from './fault-apps';
import { secondsBetween, secondsSince } from './figures';

export interface AcceptedEvent {
  idempotencyKey: string;
  eventId: string;
  /** 201, or 200 when a retried request found the event its earlier try had stored. */
  status: number;
  acceptedAt: number;
}

/** How long a client keeps retrying one event on 503 before giving up on it. */
const GIVE_UP_AFTER_MS = 90_000;
const BACKOFF_MS = 250;

/**
 * Clients posting events through the API while a fault is injected, the way a careful client does:
 * each event has its own idempotency key, and a 503 (or a dropped connection) is retried with the same
 * key. Records every answer, so a test can check that no request got a 500 and that every accepted
 * event was delivered.
 */
export class EventLoad {
  readonly answers = new Map<string, number>();
  readonly unavailableMessages = new Set<string>();
  readonly unexpected: { status: string; message: string; at: number }[] = [];
  readonly accepted: AcceptedEvent[] = [];
  readonly abandoned: string[] = [];
  /** Times of every 503, to show when the service refused work. */
  readonly unavailableAt: number[] = [];
  private stopping = false;
  private workers: Promise<void>[] = [];
  private next = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly prefix: string,
    private readonly concurrency = 4,
  ) {}

  start(): this {
    this.workers = Array.from({ length: this.concurrency }, () => this.work());
    return this;
  }

  /** Stops starting new events and waits for those in progress to be accepted or given up. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }

  /**
   * Whether the service accepts an event again after `sinceMs` (a broker or database back) within 90 s.
   * Resolves false rather than failing, so the test still prints its figures before it asserts.
   */
  async acceptsAgainAfter(sinceMs: number): Promise<boolean> {
    return waitFor(
      'an event accepted after the outage',
      () => this.accepted.some((event) => event.acceptedAt > sinceMs),
      90_000,
      250,
    ).catch(() => false);
  }

  /** Fault-table notes on how the clients fared across an outage that ended at `backAt`. */
  outageNotes(backAt: number): Record<string, number | string> {
    const firstAcceptedAfter = this.accepted.find((event) => event.acceptedAt > backAt);
    return {
      answers: JSON.stringify(Object.fromEntries(this.answers)),
      firstAcceptAfterBackSeconds: firstAcceptedAfter ? secondsBetween(backAt, firstAcceptedAfter.acceptedAt) : 'never',
      unexpectedAnswers: JSON.stringify(this.unexpected.slice(0, 3)),
      abandoned: this.abandoned.length,
      drainSecondsAfterBack: secondsSince(backAt),
    };
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      const key = `${this.prefix}-${(this.next += 1)}`;
      await this.submit(key);
    }
  }

  private count(answer: string): void {
    this.answers.set(answer, (this.answers.get(answer) ?? 0) + 1);
  }

  private async submit(idempotencyKey: string): Promise<void> {
    const deadline = Date.now() + GIVE_UP_AFTER_MS;
    while (Date.now() < deadline) {
      try {
        const answer = await this.api.call('POST', '/v1/webhooks/events', {
          type: 'fault.load',
          payload: { idempotencyKey },
          idempotencyKey,
        });
        this.count(String(answer.status));
        if (answer.status === 201 || answer.status === 200) {
          this.accepted.push({
            idempotencyKey,
            eventId: answer.body.data.eventId as string,
            status: answer.status,
            acceptedAt: Date.now(),
          });
          return;
        }
        if (answer.status === 503) {
          this.unavailableMessages.add(String(answer.body.message));
          this.unavailableAt.push(Date.now());
        } else {
          // Anything else (a 500 above all) is a finding; the client still retries, as it would.
          this.unexpected.push({ status: String(answer.status), message: String(answer.body.message), at: Date.now() });
        }
      } catch (error) {
        this.count('no answer');
        this.unexpected.push({ status: 'no answer', message: (error as Error).message, at: Date.now() });
      }
      await sleep(BACKOFF_MS);
    }
    this.abandoned.push(idempotencyKey);
  }
}
