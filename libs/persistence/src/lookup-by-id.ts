import { Model } from 'mongoose';
import { TenantId } from './tenant';

/*
 * Lookups by primary key, spelled as a filter of `_id` alone. MongoDB answers `{_id, tenantId}` and a
 * batched `{_id: {$in}}` from its _id index just as well; FerretDB, the database of the test and dev
 * stack, serves only a lone `_id` from an index and scans the whole collection for anything else, so
 * these shapes keep its cost per lookup flat as collections grow (bench/RESULTS.md).
 */

/** A tenant's document by id: read by `_id`, then checked against the tenant (another tenant's is absent). */
export async function findOwnedById<T extends { tenantId: string }>(
  model: Model<T>,
  tenantId: TenantId,
  id: string,
): Promise<T | null> {
  const document = await model.findOne({ _id: id }).lean<T>().exec();
  return document && document.tenantId === tenantId ? document : null;
}

/**
 * Documents by id, as concurrent point reads (the driver's pool bounds how many are on the wire). Ids
 * that match nothing are left out.
 */
export async function findManyById<T, Found = T>(
  model: Model<T>,
  ids: string[],
  projection?: Record<string, 1>,
): Promise<Found[]> {
  const documents = await Promise.all(
    [...new Set(ids)].map((id) => model.findOne({ _id: id }, projection).lean<Found>().exec()),
  );
  return documents.filter((document): document is NonNullable<typeof document> => document !== null) as Found[];
}
