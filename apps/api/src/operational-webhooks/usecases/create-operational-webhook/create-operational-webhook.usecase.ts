import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  newWebhook,
  SecretCipher,
  sealWebhookSecret,
  TenantId,
  WebhookKind,
  WebhookRepository,
} from '@app/persistence';
import { newSigningSecret } from '../../../webhooks/webhook-secret';
import { WebhookUrlPolicy } from '../../../webhooks/webhook-url-policy';
import { CreatedOperationalWebhookDto } from '../../dtos/operational-webhook.dto';
import { toOperationalWebhookDto } from '../../operational-webhook-view';

export interface CreateOperationalWebhookCommand {
  tenantId: TenantId;
  url: string;
  eventTypes?: string[];
  description?: string;
}

/** A webhook of the operational kind, signed with a secret of its own exactly as ordinary webhooks are. */
@Injectable()
export class CreateOperationalWebhookUseCase {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly urlPolicy: WebhookUrlPolicy,
    private readonly cipher: SecretCipher,
  ) {}

  async execute(command: CreateOperationalWebhookCommand): Promise<CreatedOperationalWebhookDto> {
    this.urlPolicy.assertAllowed(command.url);
    const now = new Date();
    const secret = newSigningSecret();
    const webhookId = randomUUID();
    const webhook = {
      ...newWebhook(
        {
          _id: webhookId,
          tenantId: command.tenantId,
          url: command.url,
          eventTypes: command.eventTypes,
          description: command.description,
          secrets: [{ secret: sealWebhookSecret(this.cipher, webhookId, secret), createdAt: now, expiresAt: null }],
        },
        now,
      ),
      kind: WebhookKind.Operational,
    };
    await this.webhooks.insert(webhook);
    return { ...toOperationalWebhookDto(webhook), secret };
  }
}
