import { Body, Get, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Page } from '@app/persistence';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiPageEnvelope } from '../http/api-docs.decorators';
import { UuidParam } from '../http/uuid-param.decorator';
import { V1Controller } from '../http/v1-controller.decorator';
import { IngestRateLimit } from '../rate-limit/rate-limit-scope';
import { CreateEventDto } from './dtos/create-event.dto';
import { DeliveryAttemptDto } from './dtos/delivery-attempt.dto';
import { EventDeliveryStatusDto } from './dtos/event-delivery-status.dto';
import { EventDetailDto, EventSummaryDto } from './dtos/event.dto';
import { EventLogsQueryDto } from './dtos/event-logs.query';
import { ListEventsQueryDto } from './dtos/list-events.query';
import { CreateEventUseCase } from './usecases/create-event/create-event.usecase';
import { GetEventStatusUseCase } from './usecases/get-event-status/get-event-status.usecase';
import { GetEventUseCase } from './usecases/get-event/get-event.usecase';
import { ListEventLogsUseCase } from './usecases/list-event-logs/list-event-logs.usecase';
import { ListEventsUseCase } from './usecases/list-events/list-events.usecase';

@V1Controller('webhooks/events', 'events')
export class EventsController {
  constructor(
    private readonly createEvent: CreateEventUseCase,
    private readonly listEvents: ListEventsUseCase,
    private readonly getEvent: GetEventUseCase,
    private readonly getEventStatus: GetEventStatusUseCase,
    private readonly listEventLogs: ListEventLogsUseCase,
  ) {}

  @Post()
  @IngestRateLimit()
  @ApiOperation({
    summary: 'Create an event and deliver it to every subscribed webhook',
    description:
      'Answers once the delivery commands are durably in Kafka. Repeating an idempotencyKey returns the existing event with 200.',
  })
  @ApiEnvelope(EventSummaryDto, HttpStatus.CREATED, 'Event accepted.')
  @ApiEnvelope(
    EventSummaryDto,
    HttpStatus.OK,
    'An event with this idempotencyKey already exists; nothing was sent again.',
  )
  @ApiErrors(
    HttpStatus.BAD_REQUEST,
    HttpStatus.CONFLICT,
    HttpStatus.PAYLOAD_TOO_LARGE,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  )
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateEventDto,
    @Res({ passthrough: true }) response: { status(code: number): unknown },
  ): Promise<EventSummaryDto> {
    const result = await this.createEvent.execute({
      tenantId: principal.tenantId,
      requestedBy: principal.tokenId,
      ...body,
    });
    response.status(result.created ? HttpStatus.CREATED : HttpStatus.OK);
    return result.event;
  }

  @Get()
  @ApiOperation({ summary: 'List events, newest first' })
  @ApiPageEnvelope(EventSummaryDto)
  @ApiErrors(HttpStatus.BAD_REQUEST)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListEventsQueryDto): Promise<Page<EventSummaryDto>> {
    return this.listEvents.execute({ tenantId: principal.tenantId, ...query });
  }

  @Get(':eventId')
  @ApiOperation({ summary: 'Get an event with its payload' })
  @ApiEnvelope(EventDetailDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  get(@CurrentPrincipal() principal: Principal, @UuidParam('eventId') eventId: string): Promise<EventDetailDto> {
    return this.getEvent.execute({ tenantId: principal.tenantId, eventId });
  }

  @Get(':eventId/status')
  @ApiOperation({ summary: 'Get the delivery status of an event, per webhook' })
  @ApiEnvelope(EventDeliveryStatusDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  status(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('eventId') eventId: string,
  ): Promise<EventDeliveryStatusDto> {
    return this.getEventStatus.execute({ tenantId: principal.tenantId, eventId });
  }

  @Get(':eventId/logs')
  @ApiOperation({ summary: 'Get the delivery attempts of an event, newest first' })
  @ApiPageEnvelope(DeliveryAttemptDto)
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  logs(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('eventId') eventId: string,
    @Query() query: EventLogsQueryDto,
  ): Promise<Page<DeliveryAttemptDto>> {
    return this.listEventLogs.execute({ tenantId: principal.tenantId, eventId, ...query });
  }
}
