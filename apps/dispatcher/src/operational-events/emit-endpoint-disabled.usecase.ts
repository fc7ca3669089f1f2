import { Injectable } from '@nestjs/common';
import {
  DeliveryTrigger,
  EndpointDisabledPayload,
  EndpointDisabledReason,
  initialCommandIdOf,
  OperationalEventType,
  operationalEventIdOf,
} from '@app/contracts';
import { DeliveryCommandPublisher } from '@app/kafka';
import {
  asTenantId,
  DeliveryRepository,
  EventRepository,
  pendingEvent,
  WebhookDocument,
  WebhookRepository,
} from '@app/persistence';
import { GONE_DISABLE_REASON } from '../policy/delivery-policy';

/** A disable the health write was asked to make: it made it only if the webhook was still active. */
export interface RequestedDisable {
  webhookId: string;
  at: Date;
  disableReason: string | null;
}

const TYPE = OperationalEventType.EndpointDisabled;

/**
 * `endpoint.disabled` for the webhooks a health write actually disabled (410 Gone, or failing for
 * AUTO_DISABLE_AFTER), to the tenant's operational webhooks. The write is conditional on the webhook being
 * active, so the webhooks are read back: those now disabled at the very time and for the reason asked were
 * disabled by it, and no other write could have. Each step is safe to repeat (the event's id derives from
 * the webhook and the time, rows are inserted when missing, and commands keep their initial ids), so the
 * caller may run it again after a failure; nothing is emitted twice.
 */
@Injectable()
export class EmitEndpointDisabledUseCase {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly events: EventRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly publisher: DeliveryCommandPublisher,
  ) {}

  async execute(requested: RequestedDisable[]): Promise<void> {
    const asked = new Map(requested.filter((r) => r.disableReason).map((r) => [r.webhookId, r]));
    if (asked.size === 0) return;
    const stored = await this.webhooks.findByIdsOfAnyTenant([...asked.keys()]);
    const disabledHere = stored.filter((webhook) => {
      const request = asked.get(webhook._id)!;
      return (
        !webhook.active &&
        webhook.disabledAt?.getTime() === request.at.getTime() &&
        webhook.disabledReason === request.disableReason
      );
    });
    for (const webhook of disabledHere) await this.emit(webhook);
  }

  private async emit(webhook: WebhookDocument): Promise<void> {
    const tenantId = asTenantId(webhook.tenantId);
    const targets = await this.webhooks.findActiveSubscribers(tenantId, TYPE);
    if (targets.length === 0) return;
    const disabledAt = webhook.disabledAt!.toISOString();
    const payload: EndpointDisabledPayload = {
      webhookId: webhook._id,
      url: webhook.url,
      reason:
        webhook.disabledReason === GONE_DISABLE_REASON ? EndpointDisabledReason.Gone : EndpointDisabledReason.Failing,
      message: webhook.disabledReason ?? '',
      disabledAt,
    };
    const fact = `${TYPE}:${webhook._id}:${disabledAt}`;
    const eventId = operationalEventIdOf(fact);
    const event = pendingEvent(
      { _id: eventId, tenantId, type: TYPE, payloadJson: JSON.stringify(payload), idempotencyKey: fact },
      targets.map(({ _id }) => _id),
      new Date(),
    );
    // A repeat finds the event stored and goes on: its rows or commands may be what failed the first time.
    await this.events.insert(event);
    await this.deliveries.ensureTargets(
      targets.map((target) => ({ tenantId, eventId, webhookId: target._id, url: target.url })),
    );
    await this.publisher.publish(
      targets.map((target) => ({
        eventId,
        webhookId: target._id,
        trigger: DeliveryTrigger.Initial,
        requestedBy: 'endpoint-disable',
        commandId: initialCommandIdOf(eventId, target._id),
      })),
    );
  }
}
