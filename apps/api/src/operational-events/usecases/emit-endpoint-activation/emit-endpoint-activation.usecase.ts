import { Injectable } from '@nestjs/common';
import {
  EndpointDisabledPayload,
  EndpointDisabledReason,
  EndpointEnabledPayload,
  OperationalEventType,
} from '@app/contracts';
import { asTenantId, WebhookDocument } from '@app/persistence';
import { EmitOperationalEventUseCase } from '../emit-operational-event/emit-operational-event.usecase';

export interface EmitEndpointActivationCommand {
  before: WebhookDocument;
  after: WebhookDocument;
  /** The API token id that made the change. */
  requestedBy: string;
}

/**
 * `endpoint.disabled` (reason manual) or `endpoint.enabled` when a tenant's edit switched a webhook off or
 * on; nothing when it stayed as it was. The fact carries the time of the switch, so each switch is one event.
 */
@Injectable()
export class EmitEndpointActivationUseCase {
  constructor(private readonly emit: EmitOperationalEventUseCase) {}

  async execute({ before, after, requestedBy }: EmitEndpointActivationCommand): Promise<void> {
    if (before.active === after.active) return;
    const tenantId = asTenantId(after.tenantId);
    if (!after.active) {
      const disabledAt = (after.disabledAt ?? after.updatedAt).toISOString();
      const payload: EndpointDisabledPayload = {
        webhookId: after._id,
        url: after.url,
        reason: EndpointDisabledReason.Manual,
        message: after.disabledReason ?? '',
        disabledAt,
      };
      const type = OperationalEventType.EndpointDisabled;
      await this.emit.execute({ tenantId, type, fact: `${type}:${after._id}:${disabledAt}`, payload, requestedBy });
      return;
    }
    const enabledAt = after.updatedAt.toISOString();
    const payload: EndpointEnabledPayload = { webhookId: after._id, url: after.url, enabledAt };
    const type = OperationalEventType.EndpointEnabled;
    await this.emit.execute({ tenantId, type, fact: `${type}:${after._id}:${enabledAt}`, payload, requestedBy });
  }
}
