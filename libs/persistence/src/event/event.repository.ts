import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { TenantId } from '../tenant';
import { EVENT_MODEL, EventDocument, EventStatus } from './event.schema';

@Injectable()
export class EventRepository {
  constructor(@InjectModel(EVENT_MODEL) private readonly events: Model<EventDocument>) {}

  async findById(tenantId: TenantId, eventId: string): Promise<EventDocument | null> {
    return this.events.findOne({ _id: eventId, tenantId }).lean<EventDocument>().exec();
  }

  async findByIdempotencyKey(tenantId: TenantId, idempotencyKey: string): Promise<EventDocument | null> {
    return this.events.findOne({ tenantId, idempotencyKey }).lean<EventDocument>().exec();
  }

  /**
   * The dispatcher's one lookup without a tenant: a command names only the event id (a UUID, unique
   * across tenants), and the event's own tenantId then scopes every later query.
   */
  async findManyForDispatch(eventIds: string[]): Promise<EventDocument[]> {
    return this.events
      .find({ _id: { $in: eventIds } })
      .lean<EventDocument[]>()
      .exec();
  }

  /** Inserts the event; resolves to false when its idempotency key already exists for the tenant. */
  async insert(event: EventDocument): Promise<boolean> {
    try {
      await this.events.collection.insertOne(event as never);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  async setStatuses(updates: { tenantId: TenantId; eventId: string; status: EventStatus }[]): Promise<void> {
    if (updates.length === 0) return;
    const now = new Date();
    await this.events.bulkWrite(
      updates.map(({ tenantId, eventId, status }) => ({
        updateOne: { filter: { _id: eventId, tenantId }, update: { $set: { status, updatedAt: now } } },
      })),
      { ordered: false },
    );
  }
}
