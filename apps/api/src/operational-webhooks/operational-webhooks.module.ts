import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DeleteWebhookUseCase } from '../webhooks/usecases/delete-webhook/delete-webhook.usecase';
import { WebhookUrlPolicy } from '../webhooks/webhook-url-policy';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CreateOperationalWebhookUseCase } from './usecases/create-operational-webhook/create-operational-webhook.usecase';
import { ListOperationalWebhooksUseCase } from './usecases/list-operational-webhooks/list-operational-webhooks.usecase';
import { OperationalWebhooksController } from './operational-webhooks.controller';

/**
 * /v1/operational-webhooks: a tenant's endpoints for what the service tells it about its webhooks and jobs.
 * They are webhooks of the operational kind: read and deleted by the webhooks' use cases (stateless, the
 * delete one provided here too) told the kind, and delivered to like any webhook.
 */
@Module({
  imports: [AuthModule, WebhooksModule],
  controllers: [OperationalWebhooksController],
  providers: [WebhookUrlPolicy, CreateOperationalWebhookUseCase, ListOperationalWebhooksUseCase, DeleteWebhookUseCase],
})
export class OperationalWebhooksModule {}
