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
  /** The command's claim, and for FIFO webhooks the claim on the schedule step as well. */
  claims: TaskClaim[];
  effect: WebhookEffect | null;
}

/** Records per flush; one Kafka request and two MongoDB round trips cover them all. */
const FLUSH_BATCH = 1_000;

/**
 * Finishes attempts in batches: marks their claims completed with the delivery-log event stored in each
 * (an outbox), then publishes those events (acks=all), then applies webhook side effects (410,
 * auto-disable, failure streaks). Only once the events are acknowledged does the command's offset move.
 * A crash before the completion re-sends the webhook (the one duplicate window; receivers dedupe on
 * webhook-id); a crash after it re-sends nothing, and the replaying dispatcher publishes the stored event.
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

  record(log: DeliveryLogV1, claims: TaskClaim[], effect: WebhookEffect | null): Promise<void> {
    return this.finished.push({ log, claims, effect });
  }

  /** Publishes a log event again, for a replayed command whose task a crashed dispatcher completed. */
  republish(logJson: string, eventId: string): Promise<void> {
    return this.publishLogs([{ key: eventId, value: logJson }]);
  }

  private async flush(batch: FinishedAttempt[]): Promise<void> {
    const logs = batch.map(({ log, claims }) => ({ claims, logJson: JSON.stringify(log), eventId: log.eventId }));
    const completions = logs.flatMap(({ claims, logJson }) => claims.map((claim) => ({ ...claim, logJson })));
    await untilAvailable(this.logger, 'Completing delivery claims', () => this.tasks.complete(completions));
    await this.publishLogs(logs.map(({ logJson, eventId }) => ({ key: eventId, value: logJson })));
    await untilAvailable(this.logger, 'Updating webhook health', () =>
      this.applyEffects(batch.flatMap(({ effect }) => (effect ? [effect] : []))),
    );
  }

  private async publishLogs(logs: { key: string; value: string }[]): Promise<void> {
    await untilAvailable(this.logger, 'Publishing delivery logs', () =>
      this.producer.sendAll(
        // Keyed by event: one writer at a time rolls up an event's status from all of its deliveries.
        logs.map(({ key, value }) => ({ topic: KafkaTopic.DeliveryLogs, key, value })),
      ),
    );
  }

  /**
   * One statement per webhook per flush, all in one bulk write: disabling wins, otherwise the newest
   * outcome counts. Two writes to the same document at once could also lose one on backends without
   * document-level atomicity (FerretDB/SQLite).
   */
  private async applyEffects(effects: WebhookEffect[]): Promise<void> {
    const perWebhook = new Map<string, WebhookEffect>();
    for (const effect of effects) {
      const earlier = perWebhook.get(effect.webhookId);
      if (!earlier || (!earlier.disableReason && (effect.disableReason || effect.at >= earlier.at)))
        perWebhook.set(effect.webhookId, effect);
    }
    await this.webhooks.applyHealth(
      [...perWebhook.values()].map((effect) => ({ ...effect, tenantId: asTenantId(effect.tenantId) })),
    );
  }
}
