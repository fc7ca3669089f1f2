import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model } from 'mongoose';
import { CoalescingQueue } from '@app/common';
import { DeliveryStatus } from '@app/contracts';
import { findManyById, OwnedByIdReader } from '../lookup-by-id';
import { isDuplicateKeyOnly } from '../duplicate-key';
import { insertUnordered } from '../unordered-insert';
import { DELIVERY_MODEL, DeliveryDocument } from '../delivery/delivery.schema';
import { afterCursor, CursorPosition, Page, toPage } from '../pagination/cursor';
import { TenantId } from '../tenant';
import { EVENT_MODEL, EventDocument, EventStatus, EventTarget } from './event.schema';
import { rollUpEventStatus } from './event-status';

export interface EventQuery {
  status?: EventStatus;
  type?: string;
  /** Inclusive bounds on createdAt. */
  from?: Date;
  to?: Date;
  after?: CursorPosition;
  limit: number;
}

/** Events per insert command: about a second's worth of concurrent creations. */
const INSERT_BATCH = 500;

/** One event's insert: stored, refused as a duplicate, or failed alone. */
type InsertOutcome = boolean | Error;

@Injectable()
export class EventRepository {
  /** Creations arriving while an insert is on its way go in the next one: one command for all of them. */
  private readonly inserts = new CoalescingQueue<EventDocument, InsertOutcome>(INSERT_BATCH, (events) =>
    this.insertBatch(events),
  );

  private readonly byId: OwnedByIdReader<EventDocument>;

  constructor(@InjectModel(EVENT_MODEL) private readonly events: Model<EventDocument>) {
    this.byId = new OwnedByIdReader(events);
  }

  async findById(tenantId: TenantId, eventId: string): Promise<EventDocument | null> {
    return this.byId.find(tenantId, eventId);
  }

  async findByIdempotencyKey(tenantId: TenantId, idempotencyKey: string): Promise<EventDocument | null> {
    return this.events.findOne({ tenantId, idempotencyKey }).lean<EventDocument>().exec();
  }

  /**
   * The dispatcher's one lookup without a tenant: a command names only the event id (a UUID, unique
   * across tenants), and the event's own tenantId then scopes every later query.
   */
  async findManyForDispatch(eventIds: string[]): Promise<EventDocument[]> {
    return findManyById(this.events, eventIds);
  }

  /**
   * Inserts the event; resolves to false when its idempotency key (or its id) already exists for the
   * tenant. Events created at the same time share one unordered insert.
   */
  async insert(event: EventDocument): Promise<boolean> {
    const outcome = await this.inserts.push(event);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  /**
   * One unordered insert for the batch: a duplicate refuses only its own event. An event the answer
   * leaves unsure (an engine that stops at its first error) is inserted again alone.
   */
  private async insertBatch(events: EventDocument[]): Promise<InsertOutcome[]> {
    const outcomes = await insertUnordered(this.events, events);
    return Promise.all(
      outcomes.map((outcome, index) =>
        outcome === 'unsure'
          ? this.insertAlone(events[index])
          : outcome instanceof Error
            ? outcome
            : outcome === 'stored',
      ),
    );
  }

  private async insertAlone(event: EventDocument): Promise<InsertOutcome> {
    try {
      await this.events.collection.insertOne(event as never);
      return true;
    } catch (error) {
      if (isDuplicateKeyOnly(error)) return false;
      return error as Error;
    }
  }

  /**
   * The log writer's roll-up. By _id alone: event ids are UUIDs, unique across tenants, and the tenant
   * came from the event itself. A filter of just `_id` is also the one FerretDB can serve from an index.
   */
  async setStatuses(updates: { eventId: string; status: EventStatus; targets?: EventTarget[] }[]): Promise<void> {
    if (updates.length === 0) return;
    const now = new Date();
    await this.events.collection.bulkWrite(
      updates.map(({ eventId, status, targets }) => ({
        updateOne: {
          filter: { _id: eventId },
          update: { $set: { status, ...(targets ? { targets } : {}), updatedAt: now } },
        },
      })) as never[],
      { ordered: false },
    );
  }

  /**
   * The roll-up of events with one target, without reading them first: each write applies only while the
   * event still has exactly that one target and its state differs, and sets the status that target alone
   * gives. Answers whether every write applied; when one did not (the event has other targets, or nothing
   * moved), the caller rolls these events up from a read, which finds the applied ones already current.
   */
  async setSingleTargetStatuses(
    moves: { eventId: string; webhookId: string; status: DeliveryStatus }[],
  ): Promise<boolean> {
    if (moves.length === 0) return true;
    const now = new Date();
    const result = await this.events.collection.bulkWrite(
      moves.map(({ eventId, webhookId, status }) => ({
        updateOne: {
          filter: {
            _id: eventId,
            targets: { $size: 1 },
            'targets.webhookId': webhookId,
            'targets.status': { $ne: status },
          },
          update: { $set: { status: rollUpEventStatus([status]), targets: [{ webhookId, status }], updatedAt: now } },
        },
      })) as never[],
      { ordered: false },
    );
    return result.matchedCount === moves.length;
  }

  /**
   * Sets one webhook's target state on events and rolls their status up again (a deleted webhook's
   * deliveries ending). A log writer rolling up the same event at that moment may overwrite it (each
   * writes the targets it read); its next attempt's roll-up then sets it right.
   */
  async setTargetStatus(eventIds: string[], webhookId: string, status: DeliveryStatus): Promise<void> {
    if (eventIds.length === 0) return;
    const events = await this.findTargets([...new Set(eventIds)]);
    const updates: { eventId: string; status: EventStatus; targets?: EventTarget[] }[] = [];
    for (const event of events.filter(({ targets }) => targets)) {
      const known = event.targets!.some((target) => target.webhookId === webhookId);
      const targets = known
        ? event.targets!.map((target) => (target.webhookId === webhookId ? { webhookId, status } : target))
        : [...event.targets!, { webhookId, status }];
      updates.push({ eventId: event._id, status: rollUpEventStatus(targets.map((target) => target.status)), targets });
    }
    // Events stored before `targets` existed roll up from their delivery rows (one webhook: one tenant).
    const legacy = events.filter(({ targets }) => !targets);
    if (legacy.length > 0) {
      const rows = await this.events.db
        .model<DeliveryDocument>(DELIVERY_MODEL)
        .find(
          { tenantId: legacy[0].tenantId, eventId: { $in: legacy.map(({ _id }) => _id) } },
          { eventId: 1, status: 1 },
        )
        .lean<Pick<DeliveryDocument, 'eventId' | 'status'>[]>()
        .exec();
      for (const { _id } of legacy) {
        const statuses = rows.filter((row) => row.eventId === _id).map((row) => row.status);
        updates.push({ eventId: _id, status: rollUpEventStatus(statuses) });
      }
    }
    await this.setStatuses(updates);
  }

  /** The roll-up's input: each event's tenant and target states, without the payload. */
  async findTargets(eventIds: string[]): Promise<Pick<EventDocument, '_id' | 'tenantId' | 'targets'>[]> {
    return findManyById(this.events, eventIds, { tenantId: 1, targets: 1 });
  }

  /**
   * GET /v1/webhooks/events and the bulk retry walk: newest first. Each filter combination is served by
   * one of the (tenantId, [status|type,] createdAt, _id) indexes declared next to the schema.
   */
  async findPage(tenantId: TenantId, query: EventQuery): Promise<Page<EventDocument>> {
    const createdAt = {
      ...(query.from ? { $gte: query.from } : {}),
      ...(query.to ? { $lte: query.to } : {}),
    };
    const filter: FilterQuery<EventDocument> = {
      tenantId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.type ? { type: query.type } : {}),
      ...(query.from || query.to ? { createdAt } : {}),
      ...afterCursor<EventDocument>(query.after),
    };
    const rows = await this.events
      .find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(query.limit + 1)
      .lean<EventDocument[]>()
      .exec();
    return toPage(rows, query.limit);
  }

  /**
   * Undoes an event whose delivery commands never reached Kafka, together with the delivery rows planned
   * for it, so a failed POST leaves nothing half-done and can be repeated with the same idempotency key.
   * The deliveries are removed here (not in DeliveryRepository) because this rollback is the event's own.
   */
  async deleteUnpublished(tenantId: TenantId, eventId: string): Promise<void> {
    const deliveries = this.events.db.model<DeliveryDocument>(DELIVERY_MODEL);
    await deliveries.deleteMany({ tenantId, eventId });
    await this.events.deleteOne({ _id: eventId, tenantId });
  }
}
