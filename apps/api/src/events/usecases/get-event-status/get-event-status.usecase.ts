import { Injectable } from '@nestjs/common';
import { DeliveryRepository, TenantId } from '@app/persistence';
import { EventDeliveryStatusDto } from '../../dtos/event-delivery-status.dto';
import { GetEventUseCase } from '../get-event/get-event.usecase';

export interface GetEventStatusCommand {
  tenantId: TenantId;
  eventId: string;
}

/** The event's overall status and one row per target webhook, as the dispatcher last recorded them. */
@Injectable()
export class GetEventStatusUseCase {
  constructor(
    private readonly getEvent: GetEventUseCase,
    private readonly deliveries: DeliveryRepository,
  ) {}

  async execute(command: GetEventStatusCommand): Promise<EventDeliveryStatusDto> {
    const event = await this.getEvent.find(command);
    const deliveries = await this.deliveries.findByEvent(command.tenantId, event._id);
    return {
      eventId: event._id,
      type: event.type,
      status: event.status,
      createdAt: event.createdAt,
      webhooks: deliveries.map((delivery) => ({
        webhookId: delivery.webhookId,
        url: delivery.url,
        status: delivery.status,
        attempts: delivery.attempts,
        // `?? null`: a row written by an upsert may lack the never-set fields (seen on FerretDB).
        lastAttemptAt: delivery.lastAttemptAt ?? null,
        lastStatusCode: delivery.lastStatusCode ?? null,
        lastErrorKind: delivery.lastErrorKind ?? null,
        nextAttemptAt: delivery.nextAttemptAt ?? null,
        heldBy: delivery.heldBy ?? null,
      })),
    };
  }
}
