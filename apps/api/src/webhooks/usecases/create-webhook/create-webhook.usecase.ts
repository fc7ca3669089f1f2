import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { newWebhook, SecretCipher, sealWebhookSecret, TenantId, WebhookRepository } from '@app/persistence';
import { CreatedWebhookDto } from '../../dtos/webhook.dto';
import { EndpointControlsInput, EndpointControlsPolicy } from '../../endpoint-controls';
import { newSigningSecret } from '../../webhook-secret';
import { WebhookUrlPolicy } from '../../webhook-url-policy';
import { toWebhookDto } from '../../webhook-view';

export interface CreateWebhookCommand extends EndpointControlsInput {
  tenantId: TenantId;
  url: string;
  eventTypes?: string[];
  description?: string;
  active?: boolean;
  fifo?: boolean;
}

@Injectable()
export class CreateWebhookUseCase {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly urlPolicy: WebhookUrlPolicy,
    private readonly cipher: SecretCipher,
    private readonly controls: EndpointControlsPolicy,
  ) {}

  async execute(command: CreateWebhookCommand): Promise<CreatedWebhookDto> {
    this.urlPolicy.assertAllowed(command.url);
    const controls = this.controls.toStored(command);
    const now = new Date();
    const secret = newSigningSecret();
    const webhookId = randomUUID();
    const webhook = newWebhook(
      {
        _id: webhookId,
        tenantId: command.tenantId,
        url: command.url,
        eventTypes: command.eventTypes,
        description: command.description,
        fifo: command.fifo,
        ...controls,
        secrets: [{ secret: sealWebhookSecret(this.cipher, webhookId, secret), createdAt: now, expiresAt: null }],
        disabledReason: command.active === false ? DISABLED_THROUGH_API : null,
      },
      now,
    );
    await this.webhooks.insert(webhook);
    return { ...toWebhookDto(webhook), secret };
  }
}

export const DISABLED_THROUGH_API = 'Disabled through the API';
