import { ConflictException, Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { SecretCipher, sealWebhookSecret, TenantId, WebhookRepository } from '@app/persistence';
import { RotatedSecretDto } from '../../dtos/webhook.dto';
import { newSigningSecret, rotateSecrets } from '../../webhook-secret';
import { GetWebhookUseCase } from '../get-webhook/get-webhook.usecase';

export interface RotateWebhookSecretCommand {
  tenantId: TenantId;
  webhookId: string;
}

/**
 * Starts signing with a new secret at once. The previous one keeps signing (a second signature in the
 * same header, as Standard Webhooks allows) until now + SECRET_ROTATION_GRACE, so receivers can switch
 * without dropping deliveries.
 */
@Injectable()
export class RotateWebhookSecretUseCase {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly getWebhook: GetWebhookUseCase,
    private readonly config: AppConfig,
    private readonly cipher: SecretCipher,
  ) {}

  async execute(command: RotateWebhookSecretCommand): Promise<RotatedSecretDto> {
    const current = await this.getWebhook.execute(command);
    const now = new Date();
    const secret = newSigningSecret();
    const sealed = sealWebhookSecret(this.cipher, command.webhookId, secret);
    const secrets = rotateSecrets(current.secrets, sealed, now, this.config.durationMs('SECRET_ROTATION_GRACE'));
    if (!(await this.webhooks.replaceSecrets(command.tenantId, command.webhookId, current.updatedAt, secrets))) {
      throw new ConflictException('Webhook changed during the rotation; try again');
    }
    return { webhookId: command.webhookId, secret, previousSecretExpiresAt: secrets[1]?.expiresAt ?? null };
  }
}
