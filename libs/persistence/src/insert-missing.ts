import { Model } from 'mongoose';
import { isDuplicateKeyOnly } from './duplicate-key';
import { findManyById } from './lookup-by-id';

/**
 * Stores the documents whose _id is not stored yet and leaves the others as they are, for writes whose
 * ids are idempotency keys. Returns how many the last insert added: `documents.length` only when all of
 * them were new.
 *
 * `expectNew` (the usual case for attempt logs): try one insert first and read only after a collision.
 * Otherwise (rows that often exist already): read first, insert what is missing. The collision's own
 * error list is never trusted: FerretDB stops an unordered insert at its first duplicate, drops the
 * documents after it and reports one error; so after a collision the stored ids are read again.
 */
export async function insertMissing<T extends { _id: string }>(
  model: Model<T>,
  documents: T[],
  { expectNew }: { expectNew: boolean },
): Promise<number> {
  if (documents.length === 0) return 0;
  if (expectNew && (await insertUnlessDuplicate(model, documents))) return documents.length;
  for (let pending = documents; ;) {
    const stored = new Set(
      (
        await findManyById<T, { _id: string }>(
          model,
          pending.map(({ _id }) => _id),
          { _id: 1 },
        )
      ).map(({ _id }) => _id),
    );
    pending = pending.filter(({ _id }) => !stored.has(_id));
    if (pending.length === 0) return 0;
    // Another writer may store some of them meanwhile (a rebalance overlap): then look again.
    if (await insertUnlessDuplicate(model, pending)) return pending.length;
  }
}

/** true when every document was inserted; false when some already existed (duplicate keys only). */
async function insertUnlessDuplicate<T>(model: Model<T>, documents: T[]): Promise<boolean> {
  try {
    await model.collection.insertMany(documents as never[], { ordered: false });
    return true;
  } catch (error) {
    if (!isDuplicateKeyOnly(error)) throw error;
    return false;
  }
}
