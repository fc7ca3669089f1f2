import { Body, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors } from '../http/api-docs.decorators';
import { UuidParam } from '../http/uuid-param.decorator';
import { V1Controller } from '../http/v1-controller.decorator';
import { RetryEventDto, RetryEventResultDto } from './dtos/retry-event.dto';
import { RetryEventUseCase } from './usecases/retry-event/retry-event.usecase';

@V1Controller('webhooks/events', 'retries')
export class RetriesController {
  constructor(private readonly retryEvent: RetryEventUseCase) {}

  @Post(':eventId/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Retry event delivery',
    description:
      'Queues the event for immediate re-delivery to every active webhook subscribed to its type, or to the one ' +
      'named in the body. The body is optional. Follow the results with GET .../status and GET .../logs.',
  })
  @ApiBody({ type: RetryEventDto, required: false })
  @ApiEnvelope(RetryEventResultDto, HttpStatus.OK, 'Queued (webhookCount may be 0 when no webhook is subscribed).')
  @ApiErrors(
    HttpStatus.BAD_REQUEST,
    HttpStatus.NOT_FOUND,
    HttpStatus.CONFLICT,
    HttpStatus.PAYLOAD_TOO_LARGE,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  )
  retry(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('eventId') eventId: string,
    @Body() body: RetryEventDto,
  ): Promise<RetryEventResultDto> {
    return this.retryEvent.execute({
      tenantId: principal.tenantId,
      tokenId: principal.tokenId,
      eventId,
      webhookId: body.webhookId,
    });
  }
}
