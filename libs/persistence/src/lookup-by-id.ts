import { Model } from 'mongoose';
import { CoalescingQueue } from '@app/common';
import { TenantId } from './tenant';

/*
 * Lookups by primary key, spelled as a filter of `_id` alone. MongoDB answers `{_id, tenantId}` from its
 * _id index just as well; FerretDB, the database of the test and dev stack, serves only a lone `_id` (and,
 * with the project's patch, `_id: {$in: [strings]}`) from an index and scans the whole collection for
 * anything else, so these shapes keep its cost per lookup flat as collections grow (bench/RESULTS.md).
 */

/**
 * A tenant's documents by id, for the API's hot paths: read by `_id`, then checked against the tenant
 * (another tenant's is absent). Reads asked while one is on its way go together in the next
 * `{_id: {$in}}`, so concurrent requests share a round trip (and the document: read-only to callers).
 * Through the driver: a mongoose query (casting, options, a stack trace per exec) cost more CPU than the
 * lookup itself.
 */
export class OwnedByIdReader<T extends { _id: string; tenantId: string }> {
  private readonly reads: CoalescingQueue<string, T | null>;

  constructor(model: Model<T>) {
    this.reads = new CoalescingQueue(IDS_PER_QUERY, async (ids) => {
      const found = new Map((await findManyById<T>(model, ids)).map((document) => [document._id, document] as const));
      return ids.map((id) => found.get(id) ?? null);
    });
  }

  async find(tenantId: TenantId, id: string): Promise<T | null> {
    const document = await this.reads.push(id);
    return document && document.tenantId === tenantId ? document : null;
  }
}

/** Ids per query: `_id: {$in}` reaches FerretDB's _id index up to 1000 values (infra/ferretdb). */
const IDS_PER_QUERY = 1_000;

/**
 * Documents by id, one `{_id: {$in}}` query per thousand ids (answered from the `_id` index by MongoDB, and by
 * FerretDB with the project's patch). Ids that match nothing are left out; the order is not the ids'.
 */
export async function findManyById<T, Found = T>(
  model: Model<T>,
  ids: string[],
  projection?: Record<string, 1>,
): Promise<Found[]> {
  const unique = [...new Set(ids)];
  const parts: string[][] = [];
  for (let start = 0; start < unique.length; start += IDS_PER_QUERY)
    parts.push(unique.slice(start, start + IDS_PER_QUERY));
  // Through the driver, like OwnedByIdReader: the same plain documents without mongoose's casting per query.
  // At most one document per id, all in the first batch: the default first batch of 101 documents took a
  // getMore for the rest, and a cursor without a limit took another to learn it was done.
  const found = await Promise.all(
    parts.map((part) =>
      model.collection
        .find({ _id: { $in: part } } as never, { projection, limit: part.length, batchSize: part.length })
        .toArray(),
    ),
  );
  return found.flat() as Found[];
}
