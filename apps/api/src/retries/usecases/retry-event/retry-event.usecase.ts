import { ConflictException, Injectable } from '@nestjs/common';
import { DeliveryTrigger } from '@app/contracts';
import { DeliveryRepository, TenantId, WebhookDocument, WebhookRepository } from '@app/persistence';
import { DeliveryCommandPublisher } from '../../../delivery-commands/delivery-command.publisher';
import { GetEventUseCase } from '../../../events/usecases/get-event/get-event.usecase';
import { GetWebhookUseCase } from '../../../webhooks/usecases/get-webhook/get-webhook.usecase';
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
 */
@Injectable()
export class RetryEventUseCase {
  constructor(
    private readonly getEvent: GetEventUseCase,
    private readonly getWebhook: GetWebhookUseCase,
    private readonly webhooks: WebhookRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly publisher: DeliveryCommandPublisher,
  ) {}

  async execute(command: RetryEventCommand): Promise<RetryEventResultDto> {
    const { tenantId, eventId } = command;
    const event = await this.getEvent.find({ tenantId, eventId });
    const targets = await this.targets(command, event.type);
    await this.deliveries.ensureTargets(
      targets.map((webhook) => ({ tenantId, eventId, webhookId: webhook._id, url: webhook.url })),
    );
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
  private async targets(command: RetryEventCommand, eventType: string): Promise<WebhookDocument[]> {
    if (!command.webhookId) return this.webhooks.findActiveSubscribers(command.tenantId, eventType);
    const webhook = await this.getWebhook.execute({ tenantId: command.tenantId, webhookId: command.webhookId });
    if (!webhook.active) throw new ConflictException('Webhook is disabled');
    return [webhook];
  }
}
