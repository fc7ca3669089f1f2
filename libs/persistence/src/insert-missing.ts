import { Model } from 'mongoose';
import { isDuplicateKeyOnly } from './duplicate-key';
import { findManyById } from './lookup-by-id';

/**
 * Stores the documents whose _id is not stored yet and leaves the others as they are, for writes whose
 * ids are idempotency keys. Returns the ids this call stored: none on a replay, only the new ones on a
 * partial replay, and never one another writer stored first (so callers can act once per new document).
 *
 * `expectNew` (the usual case for attempt logs): insert first, read only if the insert's answer leaves
 * some documents unaccounted for. Otherwise (rows that often exist already): read first, insert what is missing.
 */
export async function insertMissing<T extends { _id: string }>(
  model: Model<T>,
  documents: T[],
  { expectNew }: { expectNew: boolean },
): Promise<string[]> {
  const added: string[] = [];
  let pending = expectNew ? documents : await withoutStored(model, documents);
  while (pending.length > 0) {
    const { inserted, unsure } = await insertUnlessDuplicate(model, pending);
    added.push(...inserted);
    pending = unsure.length > 0 ? await withoutStored(model, unsure) : [];
  }
  return added;
}

async function withoutStored<T extends { _id: string }>(model: Model<T>, documents: T[]): Promise<T[]> {
  const ids = documents.map(({ _id }) => _id);
  const stored = new Set((await findManyById<T, { _id: string }>(model, ids, { _id: 1 })).map(({ _id }) => _id));
  return documents.filter(({ _id }) => !stored.has(_id));
}

/**
 * One unordered insert: the ids it stored, and the documents its answer leaves unsure. MongoDB and FerretDB
 * 1.24 report every duplicate with its index and store the rest; reading the others through the reported
 * count (the first n, in order) stays right on an engine that stops at its first duplicate, and what that
 * leaves unsure is read back.
 */
async function insertUnlessDuplicate<T extends { _id: string }>(
  model: Model<T>,
  documents: T[],
): Promise<{ inserted: string[]; unsure: T[] }> {
  try {
    await model.collection.insertMany(documents as never[], { ordered: false });
    return { inserted: documents.map(({ _id }) => _id), unsure: [] };
  } catch (error) {
    if (!isDuplicateKeyOnly(error)) throw error;
    const { writeErrors = [], insertedCount = 0 } = error as {
      writeErrors?: { index: number }[];
      insertedCount?: number;
    };
    const duplicates = new Set(writeErrors.map(({ index }) => index));
    const others = documents.filter((_, index) => !duplicates.has(index));
    return { inserted: others.slice(0, insertedCount).map(({ _id }) => _id), unsure: others.slice(insertedCount) };
  }
}
