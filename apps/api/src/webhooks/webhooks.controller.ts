import { Body, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { Page } from '@app/persistence';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiPageEnvelope } from '../http/api-docs.decorators';
import { PageQueryDto } from '../http/page-query.dto';
import { UuidParam } from '../http/uuid-param.decorator';
import { V1Controller } from '../http/v1-controller.decorator';
import { EventSummaryDto } from '../events/dtos/event.dto';
import { CreateWebhookDto } from './dtos/create-webhook.dto';
import { SendTestEventDto } from './dtos/send-test-event.dto';
import { UpdateWebhookDto } from './dtos/update-webhook.dto';
import { CreatedWebhookDto, DeletedWebhookDto, RotatedSecretDto, WebhookDto } from './dtos/webhook.dto';
import { CreateWebhookUseCase } from './usecases/create-webhook/create-webhook.usecase';
import { DeleteWebhookUseCase } from './usecases/delete-webhook/delete-webhook.usecase';
import { GetWebhookUseCase } from './usecases/get-webhook/get-webhook.usecase';
import { ListWebhooksUseCase } from './usecases/list-webhooks/list-webhooks.usecase';
import { RotateWebhookSecretUseCase } from './usecases/rotate-webhook-secret/rotate-webhook-secret.usecase';
import { SendTestEventUseCase } from './usecases/send-test-event/send-test-event.usecase';
import { UpdateWebhookUseCase } from './usecases/update-webhook/update-webhook.usecase';
import { toWebhookDto } from './webhook-view';

@V1Controller('webhooks', 'webhooks')
export class WebhooksController {
  constructor(
    private readonly createWebhook: CreateWebhookUseCase,
    private readonly listWebhooks: ListWebhooksUseCase,
    private readonly getWebhook: GetWebhookUseCase,
    private readonly updateWebhook: UpdateWebhookUseCase,
    private readonly deleteWebhook: DeleteWebhookUseCase,
    private readonly rotateSecret: RotateWebhookSecretUseCase,
    private readonly sendTestEvent: SendTestEventUseCase,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register a webhook endpoint',
    description: 'The response carries the signing secret, once.',
  })
  @ApiEnvelope(CreatedWebhookDto, HttpStatus.CREATED)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.PAYLOAD_TOO_LARGE, HttpStatus.UNSUPPORTED_MEDIA_TYPE)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateWebhookDto): Promise<CreatedWebhookDto> {
    return this.createWebhook.execute({ tenantId: principal.tenantId, ...body });
  }

  @Get()
  @ApiOperation({ summary: 'List webhooks, newest first' })
  @ApiPageEnvelope(WebhookDto)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<Page<WebhookDto>> {
    return this.listWebhooks.execute({ tenantId: principal.tenantId, limit: query.limit, cursor: query.cursor });
  }

  @Get(':webhookId')
  @ApiOperation({ summary: 'Get a webhook' })
  @ApiEnvelope(WebhookDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  async get(@CurrentPrincipal() principal: Principal, @UuidParam('webhookId') webhookId: string): Promise<WebhookDto> {
    return toWebhookDto(await this.getWebhook.execute({ tenantId: principal.tenantId, webhookId }));
  }

  @Patch(':webhookId')
  @ApiOperation({ summary: 'Update a webhook', description: '`active: true` re-enables a disabled webhook.' })
  @ApiEnvelope(WebhookDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.UNSUPPORTED_MEDIA_TYPE)
  update(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('webhookId') webhookId: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    return this.updateWebhook.execute({
      tenantId: principal.tenantId,
      webhookId,
      requestedBy: principal.tokenId,
      changes: body,
    });
  }

  @Delete(':webhookId')
  @ApiOperation({ summary: 'Delete a webhook', description: 'Its delivery history stays readable.' })
  @ApiEnvelope(DeletedWebhookDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  delete(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('webhookId') webhookId: string,
  ): Promise<DeletedWebhookDto> {
    return this.deleteWebhook.execute({ tenantId: principal.tenantId, webhookId });
  }

  @Post(':webhookId/secret/rotate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Rotate the signing secret',
    description: 'The previous secret keeps signing alongside the new one until `previousSecretExpiresAt`.',
  })
  @ApiEnvelope(RotatedSecretDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  rotate(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('webhookId') webhookId: string,
  ): Promise<RotatedSecretDto> {
    return this.rotateSecret.execute({ tenantId: principal.tenantId, webhookId });
  }

  @Post(':webhookId/test')
  @ApiOperation({
    summary: 'Send a test event to this webhook',
    description:
      'Creates a `webhook.test` event delivered to this webhook only, even if its eventTypes leave the type out; ' +
      'on a FIFO webhook it queues behind older open deliveries. It is listed and logged like any event: follow ' +
      'it with GET /v1/webhooks/events/{eventId}/status and .../logs. The body is optional.',
  })
  @ApiBody({ type: SendTestEventDto, required: false })
  @ApiEnvelope(EventSummaryDto, HttpStatus.CREATED, 'Test event accepted.')
  @ApiErrors(
    HttpStatus.BAD_REQUEST,
    HttpStatus.NOT_FOUND,
    HttpStatus.CONFLICT,
    HttpStatus.PAYLOAD_TOO_LARGE,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  )
  test(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('webhookId') webhookId: string,
    @Body() body: SendTestEventDto,
  ): Promise<EventSummaryDto> {
    return this.sendTestEvent.execute({
      tenantId: principal.tenantId,
      requestedBy: principal.tokenId,
      webhookId,
      payload: body.payload,
    });
  }
}
