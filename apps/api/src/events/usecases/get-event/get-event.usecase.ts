import { Injectable, NotFoundException } from '@nestjs/common';
import { EventDocument, EventRepository, TenantId } from '@app/persistence';
import { EventDetailDto } from '../../dtos/event.dto';
import { EVENT_NOT_FOUND, toEventSummary } from '../../event-view';

export interface GetEventCommand {
  tenantId: TenantId;
  eventId: string;
}

/** An event of the caller's tenant (another tenant's event is "not found"); also used by the other event use cases. */
@Injectable()
export class GetEventUseCase {
  constructor(private readonly events: EventRepository) {}

  async find(command: GetEventCommand): Promise<EventDocument> {
    const event = await this.events.findById(command.tenantId, command.eventId);
    if (!event) throw new NotFoundException(EVENT_NOT_FOUND);
    return event;
  }

  async execute(command: GetEventCommand): Promise<EventDetailDto> {
    const event = await this.find(command);
    return {
      ...toEventSummary(event),
      payload: JSON.parse(event.payloadJson) as Record<string, unknown>,
      idempotencyKey: event.idempotencyKey,
      updatedAt: event.updatedAt,
    };
  }
}
