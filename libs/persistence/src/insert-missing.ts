import { Model } from 'mongoose';
import { findManyById } from './lookup-by-id';
import { insertUnordered } from './unordered-insert';

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

/** One unordered insert: the ids it stored, and the documents it leaves unsure. Any failure but a duplicate is thrown. */
async function insertUnlessDuplicate<T extends { _id: string }>(
  model: Model<T>,
  documents: T[],
): Promise<{ inserted: string[]; unsure: T[] }> {
  const outcomes = await insertUnordered(model, documents);
  const failure = outcomes.find((outcome): outcome is Error => outcome instanceof Error);
  if (failure) throw failure.cause ?? failure;
  return {
    inserted: documents.filter((_, index) => outcomes[index] === 'stored').map(({ _id }) => _id),
    unsure: documents.filter((_, index) => outcomes[index] === 'unsure'),
  };
}
