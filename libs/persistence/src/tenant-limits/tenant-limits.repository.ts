import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { TenantId } from '../tenant';
import { TENANT_LIMITS_MODEL, TenantLimitsDocument } from './tenant-limits.schema';

export type TenantLimits = Pick<TenantLimitsDocument, 'ingestPerMinute' | 'otherPerMinute'>;

/** What an operator changes: a number sets that limit, null returns it to the default, absent leaves it. */
export type TenantLimitsChange = Partial<TenantLimits>;

@Injectable()
export class TenantLimitsRepository {
  constructor(@InjectModel(TENANT_LIMITS_MODEL) private readonly limits: Model<TenantLimitsDocument>) {}

  /** The tenant's overrides, or null when it has none. By _id, through the driver (the API reads it per tenant). */
  async find(tenantId: TenantId): Promise<TenantLimits | null> {
    const found = await this.limits.collection.findOne<TenantLimits>({ _id: tenantId } as never, {
      projection: { _id: 0, ingestPerMinute: 1, otherPerMinute: 1 },
    });
    return found && limitsOf(found);
  }

  /** Applies the change and answers the tenant's overrides as they now stand. */
  async set(tenantId: TenantId, change: TenantLimitsChange, now: Date): Promise<TenantLimits> {
    const unset = (['ingestPerMinute', 'otherPerMinute'] as const).filter((field) => !(field in change));
    const update: Record<string, object> = { $set: { ...change, updatedAt: now } };
    // A new tenant's document has both fields; an operand that would be empty is left out.
    if (unset.length > 0) update.$setOnInsert = Object.fromEntries(unset.map((field) => [field, null]));
    const updated = await this.limits.collection.findOneAndUpdate(
      { _id: tenantId } as never,
      update,
      // No projection: FerretDB 1.x does not implement findAndModify's `fields`.
      { upsert: true, returnDocument: 'after' },
    );
    return limitsOf(updated as unknown as TenantLimitsDocument);
  }
}

/** A field never set reads as null (FerretDB 1.x leaves a `$setOnInsert` field whose value is null out of the document). */
function limitsOf({ ingestPerMinute, otherPerMinute }: Partial<TenantLimits>): TenantLimits {
  return { ingestPerMinute: ingestPerMinute ?? null, otherPerMinute: otherPerMinute ?? null };
}
