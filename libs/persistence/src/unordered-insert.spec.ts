import { Model } from 'mongoose';
import { insertUnordered } from './unordered-insert';

type Doc = { _id: string };

/** A collection whose insertMany fails with the given answer (nothing thrown when it is null). */
const answering = (answer: object | null) =>
  ({
    collection: {
      insertMany: jest.fn(async () => {
        if (answer) throw answer;
      }),
    },
  }) as unknown as Model<Doc>;

const docs = (...ids: string[]): Doc[] => ids.map((_id) => ({ _id }));

describe('insertUnordered', () => {
  it('reads a clean answer as every document stored', async () => {
    expect(await insertUnordered(answering(null), docs('a', 'b'))).toEqual(['stored', 'stored']);
  });

  it('tells each document its own outcome: duplicate, failed, stored, and unsure past the reported count', async () => {
    const model = answering({
      writeErrors: [
        { index: 1, code: 11000 },
        { index: 2, code: 121, errmsg: 'Document failed validation' },
      ],
      insertedCount: 1,
    });
    const outcomes = await insertUnordered(model, docs('a', 'dup', 'bad', 'd', 'e'));
    expect(outcomes).toEqual(['stored', 'duplicate', new Error('Document failed validation'), 'unsure', 'unsure']);
  });

  it('throws what is no answer about documents', async () => {
    const down = new Error('connection closed');
    await expect(insertUnordered(answering(down), docs('a'))).rejects.toBe(down);
  });
});
