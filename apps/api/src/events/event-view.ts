import { EventDocument } from '@app/persistence';
import { EventSummaryDto } from './dtos/event.dto';

export const EVENT_NOT_FOUND = 'Event not found';

export function toEventSummary(event: EventDocument): EventSummaryDto {
  return {
    eventId: event._id,
    type: event.type,
    status: event.status,
    webhookCount: event.webhookCount,
    createdAt: event.createdAt,
  };
}
