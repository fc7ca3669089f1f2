import { Injectable } from '@nestjs/common';
import { DeliveryAttemptDocument, DeliveryAttemptRepository, Page, TenantId } from '@app/persistence';
import { cursorPosition } from '../../../http/page-query.dto';
import { DeliveryAttemptDto } from '../../dtos/delivery-attempt.dto';
import { GetEventUseCase } from '../get-event/get-event.usecase';

export interface ListEventLogsCommand {
  tenantId: TenantId;
  eventId: string;
  limit: number;
  cursor?: string;
  webhookId?: string;
  success?: boolean;
}

/** Delivery attempts of one event, newest first. */
@Injectable()
export class ListEventLogsUseCase {
  constructor(
    private readonly getEvent: GetEventUseCase,
    private readonly attempts: DeliveryAttemptRepository,
  ) {}

  async execute(command: ListEventLogsCommand): Promise<Page<DeliveryAttemptDto>> {
    const after = cursorPosition(command.cursor);
    // 404 for an unknown (or another tenant's) event rather than an empty list.
    await this.getEvent.find(command);
    const page = await this.attempts.findPage(command.tenantId, {
      eventId: command.eventId,
      webhookId: command.webhookId,
      success: command.success,
      after,
      limit: command.limit,
    });
    return { items: page.items.map(toAttemptDto), nextCursor: page.nextCursor };
  }
}

function toAttemptDto(attempt: DeliveryAttemptDocument): DeliveryAttemptDto {
  return {
    attemptId: attempt._id,
    webhookId: attempt.webhookId,
    url: attempt.url,
    commandId: attempt.commandId,
    trigger: attempt.trigger,
    requestedBy: attempt.requestedBy ?? null,
    attemptNumber: attempt.attemptNumber,
    startedAt: attempt.startedAt,
    durationMs: attempt.durationMs,
    statusCode: attempt.statusCode,
    errorKind: attempt.errorKind,
    errorMessage: attempt.errorMessage,
    responseBodyExcerpt: attempt.responseBodyExcerpt,
    success: attempt.success,
  };
}
