import { Injectable, Logger } from '@nestjs/common';
import { OperationalEventType, operationalEventIdOf } from '@app/contracts';
import { TenantId, WebhookRepository } from '@app/persistence';
import { CreateEventUseCase } from '../../../events/usecases/create-event/create-event.usecase';

export interface EmitOperationalEventCommand {
  tenantId: TenantId;
  type: OperationalEventType;
  /** Names the fact once, e.g. `endpoint.enabled:<webhookId>:<enabledAt>`: the event's id and idempotency key derive from it. */
  fact: string;
  payload: object;
  /** Who caused it: the API token id, or the component. */
  requestedBy: string;
}

/**
 * Creates an operational event for the tenant's active operational webhooks that take its type, through
 * the same use case as any event (stored, then one initial command per webhook), so it is delivered,
 * retried, signed and logged like the tenant's own events. The fact names the event, so emitting it again
 * answers the stored event and delivers nothing new. A tenant without operational webhooks gets no event.
 * Failures are logged, not thrown: the change that was emitted about stands either way.
 */
@Injectable()
export class EmitOperationalEventUseCase {
  private readonly logger = new Logger(EmitOperationalEventUseCase.name);

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly createEvent: CreateEventUseCase,
  ) {}

  async execute(command: EmitOperationalEventCommand): Promise<void> {
    const { tenantId, type, fact } = command;
    try {
      const targets = await this.webhooks.findActiveSubscribers(tenantId, type);
      if (targets.length === 0) return;
      const eventId = operationalEventIdOf(fact);
      await this.createEvent.execute({
        tenantId,
        requestedBy: command.requestedBy,
        type,
        payload: { ...command.payload },
        eventId,
        idempotencyKey: fact,
        targets,
      });
    } catch (error) {
      this.logger.error({ tenantId, type, fact, err: error }, 'Could not emit an operational event');
    }
  }
}
