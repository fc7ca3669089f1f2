import { Model } from 'mongoose';
import { insertMissing } from './insert-missing';

type Doc = { _id: string };
type Answer = 'every duplicate' | 'only its first duplicate';

/**
 * A collection whose unordered insert answers duplicates as `answer` says: MongoDB and FerretDB 1.24 list
 * every one and store the rest; an engine that stops at its first duplicate lists that one and drops the rest.
 */
function fakeModel(stored: string[], answer: Answer = 'every duplicate') {
  const ids = new Set(stored);
  const insertMany = jest.fn(async (documents: Doc[]) => {
    const writeErrors: { index: number; code: number }[] = [];
    let insertedCount = 0;
    for (const [index, { _id }] of documents.entries()) {
      if (!ids.has(_id)) {
        ids.add(_id);
        insertedCount += 1;
        continue;
      }
      writeErrors.push({ index, code: 11000 });
      if (answer !== 'every duplicate') break;
    }
    if (writeErrors.length === 0) return;
    throw { code: 11000, writeErrors, insertedCount };
  });
  const find = jest.fn((filter: { _id: { $in: string[] } }) => ({
    toArray: async () => filter._id.$in.filter((id) => ids.has(id)).map((_id) => ({ _id })),
  }));
  return { model: { collection: { insertMany, find } } as unknown as Model<Doc>, insertMany, find, ids };
}

const docs = (...ids: string[]): Doc[] => ids.map((_id) => ({ _id }));

describe('insertMissing', () => {
  it('stores a new batch with one insert and no read', async () => {
    const { model, insertMany, find } = fakeModel([]);
    expect(await insertMissing(model, docs('a', 'b'), { expectNew: true })).toEqual(['a', 'b']);
    expect(insertMany).toHaveBeenCalledTimes(1);
    expect(find).not.toHaveBeenCalled();
  });

  it.each<[Answer, number]>([
    ['every duplicate', 0],
    ['only its first duplicate', 1],
  ])('returns only the new ids of a partly stored batch when the engine reports %s', async (answer, reads) => {
    const { model, find, ids } = fakeModel(['s1', 's2'], answer);
    const added = await insertMissing(model, docs('n1', 's1', 'n2', 's2', 'n3'), { expectNew: true });
    expect(added.sort()).toEqual(['n1', 'n2', 'n3']);
    expect([...ids].sort()).toEqual(['n1', 'n2', 'n3', 's1', 's2']);
    expect(find).toHaveBeenCalledTimes(reads);
  });

  it('returns nothing for a batch stored before', async () => {
    const { model } = fakeModel(['a', 'b']);
    expect(await insertMissing(model, docs('a', 'b'), { expectNew: true })).toEqual([]);
  });

  it('returns a document repeated within the batch once', async () => {
    const { model } = fakeModel([]);
    expect(await insertMissing(model, docs('a', 'b', 'a'), { expectNew: true })).toEqual(['a', 'b']);
  });

  it('reads first when documents often exist, and inserts only the missing ones', async () => {
    const { model, insertMany } = fakeModel(['a']);
    expect(await insertMissing(model, docs('a', 'b'), { expectNew: false })).toEqual(['b']);
    expect(insertMany).toHaveBeenCalledWith(docs('b'), { ordered: false });
    expect(await insertMissing(model, docs('a', 'b'), { expectNew: false })).toEqual([]);
    expect(insertMany).toHaveBeenCalledTimes(1);
  });

  it('passes on an error that is not a duplicate', async () => {
    const { model, insertMany } = fakeModel([]);
    insertMany.mockRejectedValueOnce({ code: 11000, writeErrors: [{ index: 0, code: 121 }] });
    await expect(insertMissing(model, docs('a'), { expectNew: true })).rejects.toEqual(
      expect.objectContaining({ code: 11000 }),
    );
  });
});
