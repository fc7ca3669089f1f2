import { ConflictException, HttpException, Injectable } from '@nestjs/common';
import { sleep } from '@app/common';
import { EventPublishedV1 } from '@app/contracts';
import { ApiTokenRepository, asTenantId, EventRepository } from '@app/persistence';
import { EventSummaryDto } from '../../../events/dtos/event.dto';
import { CreateEventUseCase } from '../../../events/usecases/create-event/create-event.usecase';

export interface IngestPublishedEventCommand {
  /** Already validated against the contract class. */
  message: EventPublishedV1;
  /** `kafka:<topic>:<partition>:<offset>`: unique per message, stable when the same message is read again. */
  source: string;
}

export type IngestOutcome =
  | { kind: 'created'; event: EventSummaryDto }
  /** The idempotency key (or event id) named an existing event: nothing was created or published. */
  | { kind: 'duplicate'; event: EventSummaryDto }
  /** The message can never succeed; it belongs on the dead-letter topic with this reason. */
  | { kind: 'rejected'; reason: string };

/** A conflict usually means a concurrent creation with the same key was rolled back: worth a few tries. */
const CONFLICT_ATTEMPTS = 3;
const CONFLICT_WAIT_MS = 200;

/**
 * An event another service published to `webhooks.events.v1`, created through the same use case as
 * `POST /v1/webhooks/events`. Without an idempotency key or event id, the message's Kafka coordinates
 * are the key, so a message read twice (a crash before its offset was committed) is created once.
 * Throws only for failures worth retrying (Kafka or MongoDB away).
 */
@Injectable()
export class IngestPublishedEventUseCase {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly events: EventRepository,
    private readonly createEvent: CreateEventUseCase,
  ) {}

  async execute({ message, source }: IngestPublishedEventCommand): Promise<IngestOutcome> {
    if (!(await this.tokens.tenantExists(message.tenantId))) {
      return { kind: 'rejected', reason: `unknown tenant "${message.tenantId}"` };
    }
    const tenantId = asTenantId(message.tenantId);
    const idempotencyKey = message.idempotencyKey ?? message.eventId ?? source;
    if (message.eventId) {
      const taken = await this.events.findById(tenantId, message.eventId);
      if (taken && taken.idempotencyKey !== idempotencyKey) {
        return { kind: 'rejected', reason: `eventId ${message.eventId} already names another event` };
      }
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await this.createEvent.execute({
          tenantId,
          requestedBy: source,
          type: message.type,
          payload: message.payload,
          idempotencyKey,
          eventId: message.eventId,
        });
        return { kind: result.created ? 'created' : 'duplicate', event: result.event };
      } catch (error) {
        if (error instanceof ConflictException && attempt < CONFLICT_ATTEMPTS) {
          await sleep(CONFLICT_WAIT_MS * attempt);
          continue;
        }
        // Every other 4xx (payload too large, a lasting conflict) is the message's fault, not the moment's.
        if (error instanceof HttpException && error.getStatus() < 500) {
          return { kind: 'rejected', reason: error.message };
        }
        throw error;
      }
    }
  }
}
