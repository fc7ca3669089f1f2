import { Body, Delete, Get, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Page, WebhookKind } from '@app/persistence';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiPageEnvelope } from '../http/api-docs.decorators';
import { PageQueryDto } from '../http/page-query.dto';
import { UuidParam } from '../http/uuid-param.decorator';
import { V1Controller } from '../http/v1-controller.decorator';
import { DeletedWebhookDto } from '../webhooks/dtos/webhook.dto';
import { DeleteWebhookUseCase } from '../webhooks/usecases/delete-webhook/delete-webhook.usecase';
import { GetWebhookUseCase } from '../webhooks/usecases/get-webhook/get-webhook.usecase';
import { CreateOperationalWebhookDto } from './dtos/create-operational-webhook.dto';
import { CreatedOperationalWebhookDto, OperationalWebhookDto } from './dtos/operational-webhook.dto';
import { toOperationalWebhookDto } from './operational-webhook-view';
import { CreateOperationalWebhookUseCase } from './usecases/create-operational-webhook/create-operational-webhook.usecase';
import { ListOperationalWebhooksUseCase } from './usecases/list-operational-webhooks/list-operational-webhooks.usecase';

const kind = WebhookKind.Operational;

@V1Controller('operational-webhooks', 'operational webhooks')
export class OperationalWebhooksController {
  constructor(
    private readonly createWebhook: CreateOperationalWebhookUseCase,
    private readonly listWebhooks: ListOperationalWebhooksUseCase,
    private readonly getWebhook: GetWebhookUseCase,
    private readonly deleteWebhook: DeleteWebhookUseCase,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register an operational webhook endpoint',
    description:
      'It receives endpoint.disabled, endpoint.enabled and retry_job.finished (or the eventTypes named), signed ' +
      'like any webhook. The response carries the signing secret, once.',
  })
  @ApiEnvelope(CreatedOperationalWebhookDto, HttpStatus.CREATED)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.PAYLOAD_TOO_LARGE, HttpStatus.UNSUPPORTED_MEDIA_TYPE)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateOperationalWebhookDto,
  ): Promise<CreatedOperationalWebhookDto> {
    return this.createWebhook.execute({ tenantId: principal.tenantId, ...body });
  }

  @Get()
  @ApiOperation({ summary: 'List operational webhooks, newest first' })
  @ApiPageEnvelope(OperationalWebhookDto)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<Page<OperationalWebhookDto>> {
    return this.listWebhooks.execute({ tenantId: principal.tenantId, limit: query.limit, cursor: query.cursor });
  }

  @Get(':webhookId')
  @ApiOperation({ summary: 'Get an operational webhook' })
  @ApiEnvelope(OperationalWebhookDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  async get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('webhookId') webhookId: string,
  ): Promise<OperationalWebhookDto> {
    return toOperationalWebhookDto(await this.getWebhook.execute({ tenantId: principal.tenantId, webhookId, kind }));
  }

  @Delete(':webhookId')
  @ApiOperation({ summary: 'Delete an operational webhook', description: 'Its delivery history stays readable.' })
  @ApiEnvelope(DeletedWebhookDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  delete(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('webhookId') webhookId: string,
  ): Promise<DeletedWebhookDto> {
    return this.deleteWebhook.execute({ tenantId: principal.tenantId, webhookId, kind });
  }
}
