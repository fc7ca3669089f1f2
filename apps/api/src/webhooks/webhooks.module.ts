import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CreateWebhookUseCase } from './usecases/create-webhook/create-webhook.usecase';
import { DeleteWebhookUseCase } from './usecases/delete-webhook/delete-webhook.usecase';
import { GetWebhookUseCase } from './usecases/get-webhook/get-webhook.usecase';
import { ListWebhooksUseCase } from './usecases/list-webhooks/list-webhooks.usecase';
import { RotateWebhookSecretUseCase } from './usecases/rotate-webhook-secret/rotate-webhook-secret.usecase';
import { UpdateWebhookUseCase } from './usecases/update-webhook/update-webhook.usecase';
import { WebhookUrlPolicy } from './webhook-url-policy';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [AuthModule],
  controllers: [WebhooksController],
  providers: [
    WebhookUrlPolicy,
    CreateWebhookUseCase,
    ListWebhooksUseCase,
    GetWebhookUseCase,
    UpdateWebhookUseCase,
    DeleteWebhookUseCase,
    RotateWebhookSecretUseCase,
  ],
  exports: [GetWebhookUseCase],
})
export class WebhooksModule {}
