import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { OperationalEventsModule } from '../operational-events/operational-events.module';
import { CreateWebhookUseCase } from './usecases/create-webhook/create-webhook.usecase';
import { DeleteWebhookUseCase } from './usecases/delete-webhook/delete-webhook.usecase';
import { GetWebhookUseCase } from './usecases/get-webhook/get-webhook.usecase';
import { ListWebhooksUseCase } from './usecases/list-webhooks/list-webhooks.usecase';
import { RotateWebhookSecretUseCase } from './usecases/rotate-webhook-secret/rotate-webhook-secret.usecase';
import { SendTestEventUseCase } from './usecases/send-test-event/send-test-event.usecase';
import { UpdateWebhookUseCase } from './usecases/update-webhook/update-webhook.usecase';
import { EndpointControlsPolicy } from './endpoint-controls';
import { WebhookUrlPolicy } from './webhook-url-policy';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [AuthModule, EventsModule, OperationalEventsModule],
  controllers: [WebhooksController],
  providers: [
    WebhookUrlPolicy,
    EndpointControlsPolicy,
    CreateWebhookUseCase,
    ListWebhooksUseCase,
    GetWebhookUseCase,
    UpdateWebhookUseCase,
    DeleteWebhookUseCase,
    RotateWebhookSecretUseCase,
    SendTestEventUseCase,
  ],
  exports: [GetWebhookUseCase],
})
export class WebhooksModule {}
