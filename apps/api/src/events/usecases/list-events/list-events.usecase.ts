import { Injectable } from '@nestjs/common';
import { EventRepository, EventStatus, Page, TenantId } from '@app/persistence';
import { cursorPosition } from '../../../http/page-query.dto';
import { EventSummaryDto } from '../../dtos/event.dto';
import { toEventSummary } from '../../event-view';

export interface ListEventsCommand {
  tenantId: TenantId;
  limit: number;
  cursor?: string;
  status?: EventStatus;
  type?: string;
  from?: string;
  to?: string;
}

/**
 * Newest first. The cursor is a (createdAt, id) position, so a client walking every page sees each event
 * that existed when it started exactly once, however many are inserted meanwhile.
 */
@Injectable()
export class ListEventsUseCase {
  constructor(private readonly events: EventRepository) {}

  async execute(command: ListEventsCommand): Promise<Page<EventSummaryDto>> {
    const page = await this.events.findPage(command.tenantId, {
      status: command.status,
      type: command.type,
      from: command.from ? new Date(command.from) : undefined,
      to: command.to ? new Date(command.to) : undefined,
      after: cursorPosition(command.cursor),
      limit: command.limit,
    });
    return { items: page.items.map(toEventSummary), nextCursor: page.nextCursor };
  }
}
