import { Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors } from '../http/api-docs.decorators';
import { V1Controller } from '../http/v1-controller.decorator';
import { DeliveriesPerMinuteDto } from './dtos/deliveries-per-minute.dto';
import { DeliveriesPerMinuteQueryDto } from './dtos/deliveries-per-minute.query';
import { WebhookSuccessRatesDto } from './dtos/webhook-success-rate.dto';
import { WebhookSuccessRatesQueryDto } from './dtos/webhook-success-rates.query';
import { CountDeliveriesPerMinuteUseCase } from './usecases/count-deliveries-per-minute/count-deliveries-per-minute.usecase';
import { GetWebhookSuccessRatesUseCase } from './usecases/get-webhook-success-rates/get-webhook-success-rates.usecase';

/** Aggregates over the caller's delivery attempts, for dashboards such as the ops console. */
@V1Controller('stats', 'stats')
export class StatsController {
  constructor(
    private readonly deliveriesPerMinute: CountDeliveriesPerMinuteUseCase,
    private readonly webhookSuccessRates: GetWebhookSuccessRatesUseCase,
  ) {}

  @Get('deliveries-per-minute')
  @ApiOperation({
    summary: 'Delivery attempts per minute, by outcome',
    description: 'One bucket per minute (UTC) over the last `hours`, oldest first, ending with the current minute.',
  })
  @ApiEnvelope(DeliveriesPerMinuteDto)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  perMinute(
    @CurrentPrincipal() principal: Principal,
    @Query() query: DeliveriesPerMinuteQueryDto,
  ): Promise<DeliveriesPerMinuteDto> {
    return this.deliveriesPerMinute.execute({ tenantId: principal.tenantId, ...query });
  }

  @Get('webhook-success-rates')
  @ApiOperation({ summary: 'Success rate of webhooks over the last 24 hours' })
  @ApiEnvelope(WebhookSuccessRatesDto)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  successRates(
    @CurrentPrincipal() principal: Principal,
    @Query() query: WebhookSuccessRatesQueryDto,
  ): Promise<WebhookSuccessRatesDto> {
    return this.webhookSuccessRates.execute({ tenantId: principal.tenantId, webhookIds: query.webhookIds });
  }
}
