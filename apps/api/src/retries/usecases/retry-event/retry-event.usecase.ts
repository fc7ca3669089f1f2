import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DeliveryTrigger } from '@app/contracts';
import {
  DeliveryRepository,
  EventDocument,
  EventRepository,
  subscribesTo,
  TenantId,
  WebhookDocument,
  WebhookRepository,
} from '@app/persistence';
import { DeliveryCommandPublisher } from '@app/kafka';
import { EVENT_NOT_FOUND } from '../../../events/event-view';
import { WEBHOOK_NOT_FOUND } from '../../../webhooks/usecases/get-webhook/get-webhook.usecase';
import { RetryEventResultDto } from '../../dtos/retry-event.dto';

export interface RetryEventCommand {
  tenantId: TenantId;
  tokenId: string;
  eventId: string;
  webhookId?: string;
}

/**
 * Manual retry: one `manual` command per target webhook, each with its own commandId so the dispatcher
 * sends again even to webhooks that already received the event. Answers after Kafka acknowledged them.
 *
 * One round trip to the database before the publish, in the usual case: the event and the webhooks are
 * read at once (subscriptions are matched here, as the dispatcher does). Delivery rows are written only
 * for webhooks the event had no target for (GET .../status shows them at once); the dispatcher reads the
 * rows it needs itself, and creates any that are missing.
 */
@Injectable()
export class RetryEventUseCase {
  constructor(
    private readonly events: EventRepository,
    private readonly webhooks: WebhookRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly publisher: DeliveryCommandPublisher,
  ) {}

  async execute(command: RetryEventCommand): Promise<RetryEventResultDto> {
    const { tenantId, eventId } = command;
    const [event, candidates] = await Promise.all([
      this.events.findById(tenantId, eventId),
      command.webhookId
        ? this.webhooks.findById(tenantId, command.webhookId).then((webhook) => (webhook ? [webhook] : []))
        : this.webhooks.findActiveOfTenants([tenantId]),
    ]);
    if (!event) throw new NotFoundException(EVENT_NOT_FOUND);
    const targets = this.targets(command, event, candidates);
    await this.planUntargeted(tenantId, event, targets);
    await this.publisher.publish(
      targets.map((webhook) => ({
        eventId,
        webhookId: webhook._id,
        trigger: DeliveryTrigger.Manual,
        requestedBy: command.tokenId,
      })),
    );
    const webhookCount = targets.length;
    return { eventId, webhookCount, message: `Event queued for retry to ${webhookCount} webhook(s)` };
  }

  /** A named webhook is retried even if not subscribed to the type (an explicit request), but never while disabled. */
  private targets(command: RetryEventCommand, event: EventDocument, candidates: WebhookDocument[]): WebhookDocument[] {
    if (!command.webhookId) return candidates.filter((webhook) => subscribesTo(webhook, event.type));
    const [webhook] = candidates;
    if (!webhook) throw new NotFoundException(WEBHOOK_NOT_FOUND);
    if (!webhook.active) throw new ConflictException('Webhook is disabled');
    return [webhook];
  }

  /**
   * Rows for the webhooks the event was not created for (subscribed since, or named): inserted first, as
   * they are usually new. An event stored before `targets` existed gets its rows checked by reading first.
   */
  private async planUntargeted(tenantId: TenantId, event: EventDocument, targets: WebhookDocument[]): Promise<void> {
    const planned = event.targets && new Set(event.targets.map((target) => target.webhookId));
    const untargeted = planned ? targets.filter((webhook) => !planned.has(webhook._id)) : targets;
    await this.deliveries.ensureTargets(
      untargeted.map((webhook) => ({
        tenantId,
        eventId: event._id,
        webhookId: webhook._id,
        url: webhook.url,
      })),
      { expectNew: planned !== undefined },
    );
  }
}
