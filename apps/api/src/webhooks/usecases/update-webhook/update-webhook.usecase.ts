import { Injectable, NotFoundException } from '@nestjs/common';
import { TenantId, WebhookDocument, WebhookRepository } from '@app/persistence';
import { EmitEndpointActivationUseCase } from '../../../operational-events/usecases/emit-endpoint-activation/emit-endpoint-activation.usecase';
import { WebhookDto } from '../../dtos/webhook.dto';
import { EndpointControlsInput, EndpointControlsPolicy } from '../../endpoint-controls';
import { WebhookUrlPolicy } from '../../webhook-url-policy';
import { toWebhookDto } from '../../webhook-view';
import { DISABLED_THROUGH_API } from '../create-webhook/create-webhook.usecase';
import { GetWebhookUseCase, WEBHOOK_NOT_FOUND } from '../get-webhook/get-webhook.usecase';

export interface UpdateWebhookCommand {
  tenantId: TenantId;
  webhookId: string;
  /** The API token id, for the operational event a switch off or on emits. */
  requestedBy: string;
  changes: Partial<Pick<WebhookDocument, 'url' | 'eventTypes' | 'description' | 'active' | 'fifo'>> &
    EndpointControlsInput;
}

@Injectable()
export class UpdateWebhookUseCase {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly getWebhook: GetWebhookUseCase,
    private readonly urlPolicy: WebhookUrlPolicy,
    private readonly controls: EndpointControlsPolicy,
    private readonly emitActivation: EmitEndpointActivationUseCase,
  ) {}

  async execute(command: UpdateWebhookCommand): Promise<WebhookDto> {
    const { tenantId, webhookId } = command;
    const { rateLimit, timeout, headers, ...changes } = command.changes;
    if (changes.url !== undefined) this.urlPolicy.assertAllowed(changes.url);
    const controls = this.controls.toStored({ rateLimit, timeout, headers });
    const current = await this.getWebhook.execute({ tenantId, webhookId });
    const updated = await this.webhooks.applyChanges(tenantId, webhookId, {
      ...changes,
      ...controls,
      ...activationChanges(current, changes.active),
    });
    if (!updated) throw new NotFoundException(WEBHOOK_NOT_FOUND);
    await this.emitActivation.execute({ before: current, after: updated, requestedBy: command.requestedBy });
    return toWebhookDto(updated);
  }
}

/**
 * Re-enabling clears why the webhook was disabled and its failure streak, so auto-disable starts
 * counting afresh; disabling records that it was the tenant's own choice.
 */
function activationChanges(current: WebhookDocument, active: boolean | undefined): Partial<WebhookDocument> {
  if (active === true) return { disabledReason: null, disabledAt: null, failingSince: null };
  if (active === false && current.active) return { disabledReason: DISABLED_THROUGH_API, disabledAt: new Date() };
  return {};
}
