import { LAST_SUCCESS_PRECISION_MS } from '@app/persistence';
import type { WebhookEffect } from './webhook-effect';

/** Webhooks remembered at most; beyond it, entries past the window are dropped. */
const MAX_REMEMBERED = 10_000;

/**
 * The webhook outcomes this process wrote lately, so a steady run of successes (or of failures) to a
 * webhook costs one statement per LAST_SUCCESS_PRECISION_MS instead of one per flush. A flip (success
 * after failure, or the reverse) and a disable are always written. What another dispatcher wrote meanwhile
 * is caught up within the window: a lag of a minute on a five-day auto-disable clock.
 */
export class RecentHealthWrites {
  private readonly written = new Map<string, { success: boolean; at: number }>();

  constructor(
    private readonly windowMs = LAST_SUCCESS_PRECISION_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The effects still worth a statement. */
  worthWriting(effects: WebhookEffect[]): WebhookEffect[] {
    const since = this.now() - this.windowMs;
    return effects.filter((effect) => {
      if (effect.disableReason) return true;
      const last = this.written.get(effect.webhookId);
      return !last || last.success !== effect.success || last.at < since;
    });
  }

  /** Remembers effects once their statements are written. */
  wrote(effects: WebhookEffect[]): void {
    const at = this.now();
    for (const { webhookId, success, disableReason } of effects) {
      if (disableReason) this.written.delete(webhookId);
      else this.written.set(webhookId, { success, at });
    }
    if (this.written.size > MAX_REMEMBERED) {
      const since = at - this.windowMs;
      for (const [webhookId, last] of this.written) if (last.at < since) this.written.delete(webhookId);
    }
  }
}
