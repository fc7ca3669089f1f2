import { Injectable, Logger } from '@nestjs/common';
import { DeliveryLogV1, KafkaTopic } from '@app/contracts';
import { CoalescingQueue } from '@app/common';
import { KafkaProducer } from '@app/kafka';
import { asTenantId, DeliveryTaskRepository, TaskClaim, WebhookRepository } from '@app/persistence';
import { untilAvailable } from './until-available';

export interface WebhookEffect {
  tenantId: string;
  webhookId: string;
  success: boolean;
  at: Date;
  disableReason: string | null;
}

interface FinishedAttempt {
  log: DeliveryLogV1;
  claim: TaskClaim;
  effect: WebhookEffect | null;
}

/** Records per flush; one Kafka request and two MongoDB round trips cover them all. */
const FLUSH_BATCH = 1_000;

/**
 * Finishes attempts in batches: publishes their delivery-log events (acks=all), then marks their claims
 * completed, then applies webhook side effects (410, auto-disable, failure streaks). The log goes first:
 * a crash after it and before the claim is marked re-sends the webhook, never loses the log.
 */
@Injectable()
export class AttemptRecorder {
  private readonly logger = new Logger(AttemptRecorder.name);
  private readonly finished = new CoalescingQueue<FinishedAttempt>(FLUSH_BATCH, (batch) => this.flush(batch));

  constructor(
    private readonly producer: KafkaProducer,
    private readonly tasks: DeliveryTaskRepository,
    private readonly webhooks: WebhookRepository,
  ) {}

  record(log: DeliveryLogV1, claim: TaskClaim, effect: WebhookEffect | null): Promise<void> {
    return this.finished.push({ log, claim, effect });
  }

  private async flush(batch: FinishedAttempt[]): Promise<void> {
    await untilAvailable(this.logger, 'Publishing delivery logs', () =>
      this.producer.sendAll(
        batch.map(({ log }) => ({
          topic: KafkaTopic.DeliveryLogs,
          // Keyed by event: one writer at a time rolls up an event's status from all of its deliveries.
          key: log.eventId,
          value: JSON.stringify(log),
        })),
      ),
    );
    await untilAvailable(this.logger, 'Completing delivery claims', () =>
      this.tasks.complete(batch.map(({ claim }) => claim)),
    );
    await untilAvailable(this.logger, 'Updating webhook health', () =>
      this.applyEffects(batch.flatMap(({ effect }) => (effect ? [effect] : []))),
    );
  }

  /**
   * One write per webhook per flush: disabling wins over the streak bookkeeping. Two writes to the same
   * document at once could also lose one on backends without document-level atomicity (FerretDB/SQLite).
   */
  private async applyEffects(effects: WebhookEffect[]): Promise<void> {
    const perWebhook = new Map<string, WebhookEffect>();
    for (const effect of effects) {
      const earlier = perWebhook.get(effect.webhookId);
      if (!earlier?.disableReason) perWebhook.set(effect.webhookId, effect);
    }
    await Promise.all(
      [...perWebhook.values()].map(({ tenantId, webhookId, success, at, disableReason }) => {
        const tenant = asTenantId(tenantId);
        if (disableReason) return this.webhooks.disable(tenant, webhookId, disableReason);
        return success
          ? this.webhooks.recordSuccess(tenant, webhookId, at)
          : this.webhooks.recordFailure(tenant, webhookId, at);
      }),
    );
  }
}
