import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable, Logger, PayloadTooLargeException } from '@nestjs/common';
import { DeliveryStatus, DeliveryTrigger, initialCommandIdOf, MAX_EVENT_PAYLOAD_BYTES } from '@app/contracts';
import {
  asTenantId,
  DeliveryRepository,
  EventDocument,
  EventRepository,
  EventStatus,
  pendingEvent,
  TenantId,
  WebhookDocument,
  WebhookRepository,
} from '@app/persistence';
import { DeliveryCommandPublisher } from '@app/kafka';
import { EventSummaryDto } from '../../dtos/event.dto';
import { toEventSummary } from '../../event-view';

export interface CreateEventCommand {
  tenantId: TenantId;
  /** Who asked, carried by the initial commands: the API token id, or the Kafka message's coordinates. */
  requestedBy: string;
  type: string;
  payload: Record<string, unknown>;
  idempotencyKey?: string;
  /** Chosen by a Kafka publisher (so that publishing again is safe); a new UUID otherwise. */
  eventId?: string;
  /** Deliver to these webhooks only instead of the type's subscribers (a webhook's test event). */
  targets?: Pick<WebhookDocument, '_id' | 'url'>[];
}

export interface CreateEventResult {
  /** false when the idempotency key named an existing event (answered with 200, nothing published). */
  created: boolean;
  event: EventSummaryDto;
}

/**
 * Stores the event, plans a delivery row per subscribed webhook and publishes one `initial` command per
 * webhook, answering only after Kafka acknowledged them. If the publish fails, the event and its rows
 * are removed again, so the client's retry (same idempotency key) starts from a clean slate.
 *
 * Three round trips to the database before the publish: the subscribers, the event, its rows. An
 * idempotency key costs no read of its own: the event's insert finds a repeated key (unique index), and
 * only then is the stored event read.
 */
@Injectable()
export class CreateEventUseCase {
  private readonly logger = new Logger(CreateEventUseCase.name);

  constructor(
    private readonly events: EventRepository,
    private readonly webhooks: WebhookRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly publisher: DeliveryCommandPublisher,
  ) {}

  async execute(command: CreateEventCommand): Promise<CreateEventResult> {
    const { tenantId, type } = command;
    const payloadJson = JSON.stringify(command.payload);
    if (Buffer.byteLength(payloadJson, 'utf8') > MAX_EVENT_PAYLOAD_BYTES) {
      throw new PayloadTooLargeException(`payload must be at most ${MAX_EVENT_PAYLOAD_BYTES} bytes of JSON`);
    }
    const subscribers = command.targets ?? (await this.webhooks.findActiveSubscribers(tenantId, type));
    const now = new Date();
    const eventId = command.eventId ?? randomUUID();
    const event = pendingEvent(
      { _id: eventId, tenantId, type, payloadJson, idempotencyKey: command.idempotencyKey },
      subscribers.map((webhook) => webhook._id),
      now,
    );
    if (!(await this.events.insert(event))) {
      return this.replay(tenantId, event.idempotencyKey, command.requestedBy);
    }

    try {
      // The event is new, so are its rows: inserted without a read first.
      await this.deliveries.ensureTargets(
        subscribers.map((webhook) => ({ tenantId, eventId, webhookId: webhook._id, url: webhook.url })),
        { expectNew: true },
      );
      await this.publisher.publish(
        subscribers.map((webhook) => ({
          eventId,
          webhookId: webhook._id,
          trigger: DeliveryTrigger.Initial,
          requestedBy: command.requestedBy,
          commandId: initialCommandIdOf(eventId, webhook._id),
        })),
      );
    } catch (error) {
      await this.rollBack(tenantId, eventId);
      throw error;
    }
    return { created: true, event: toEventSummary(event) };
  }

  /** The idempotency key (or the event id) is taken: answer with the stored event. */
  private async replay(tenantId: TenantId, idempotencyKey: string, requestedBy: string): Promise<CreateEventResult> {
    const stored = await this.events.findByIdempotencyKey(tenantId, idempotencyKey);
    // The other creation was rolled back between its insert and our read: let the client try again.
    if (!stored) throw new ConflictException('An event with this idempotencyKey is being created; try again');
    if (stored.status === EventStatus.Pending) await this.republishUnstarted(stored, requestedBy);
    return { created: false, event: toEventSummary(stored) };
  }

  /**
   * A replay may follow a creation that failed half-way while the database went away: the event may be
   * stored (even when its insert reported an error) with some or none of its delivery rows, and no
   * command published. So a replay of a pending event plans any missing rows again and publishes the
   * initial command of every delivery not attempted yet, with the same ids as the first time: the
   * dispatcher ignores those it already has.
   */
  private async republishUnstarted(event: EventDocument, requestedBy: string): Promise<void> {
    const tenantId = asTenantId(event.tenantId);
    let deliveries = await this.deliveries.findByEvent(tenantId, event._id);
    if (deliveries.length < event.webhookCount) {
      // The rows were never all written. The subscribers are read again; one that subscribed since the
      // first attempt is included, as it would be had the client's first request succeeded now.
      const subscribers = await this.webhooks.findActiveSubscribers(tenantId, event.type);
      await this.deliveries.ensureTargets(
        subscribers.map((webhook) => ({ tenantId, eventId: event._id, webhookId: webhook._id, url: webhook.url })),
      );
      deliveries = await this.deliveries.findByEvent(tenantId, event._id);
    }
    const unstarted = deliveries.filter(
      (delivery) => delivery.attempts === 0 && delivery.status === DeliveryStatus.Pending,
    );
    await this.publisher.publish(
      unstarted.map((delivery) => ({
        eventId: event._id,
        webhookId: delivery.webhookId,
        trigger: DeliveryTrigger.Initial,
        requestedBy,
        commandId: initialCommandIdOf(event._id, delivery.webhookId),
      })),
    );
  }

  private async rollBack(tenantId: TenantId, eventId: string): Promise<void> {
    try {
      await this.events.deleteUnpublished(tenantId, eventId);
    } catch (error) {
      // Both Kafka and MongoDB failing: the event stays pending without commands. Logged with its id so an
      // operator can re-drive it (POST .../retry) or delete it.
      this.logger.error(
        { eventId, tenantId, err: error },
        'Could not roll back an event whose commands were not published',
      );
    }
  }
}
