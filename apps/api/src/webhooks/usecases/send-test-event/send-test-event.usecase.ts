import { ConflictException, Injectable } from '@nestjs/common';
import { TenantId } from '@app/persistence';
import { EventSummaryDto } from '../../../events/dtos/event.dto';
import { CreateEventUseCase } from '../../../events/usecases/create-event/create-event.usecase';
import { GetWebhookUseCase } from '../get-webhook/get-webhook.usecase';

/** Wire name receivers may match on: never change it. */
export const TEST_EVENT_TYPE = 'webhook.test';
export const DEFAULT_TEST_PAYLOAD = { message: 'This is a test event' };

export interface SendTestEventCommand {
  tenantId: TenantId;
  /** The API token id, carried by the initial command like any event's. */
  requestedBy: string;
  webhookId: string;
  payload?: Record<string, unknown>;
}

/**
 * A `webhook.test` event stored and delivered like any other (listed, with status and logs), but to the
 * named webhook only, whatever its eventTypes say. On a FIFO webhook it queues behind older open
 * deliveries: jumping the queue would break the order the receiver relies on.
 */
@Injectable()
export class SendTestEventUseCase {
  constructor(
    private readonly getWebhook: GetWebhookUseCase,
    private readonly createEvent: CreateEventUseCase,
  ) {}

  async execute(command: SendTestEventCommand): Promise<EventSummaryDto> {
    const webhook = await this.getWebhook.execute(command);
    // 409, as for a manual retry naming a disabled webhook: the state, not the request, is wrong.
    if (!webhook.active) throw new ConflictException('Webhook is disabled');
    const { event } = await this.createEvent.execute({
      tenantId: command.tenantId,
      requestedBy: command.requestedBy,
      type: TEST_EVENT_TYPE,
      payload: command.payload ?? DEFAULT_TEST_PAYLOAD,
      targets: [webhook],
    });
    return event;
  }
}
