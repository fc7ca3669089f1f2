import { Model } from 'mongoose';
import { DUPLICATE_KEY } from './duplicate-key';

/** What one unordered insert did with a document: stored it, found its key taken, failed (the driver's error as `cause`), or cannot say. */
export type InsertedDocument = 'stored' | 'duplicate' | 'unsure' | Error;

/**
 * One unordered `insertMany`, and each document's outcome read from its answer. MongoDB, FerretDB 1.24 and
 * SecantusDB report every failed document with its index and store the rest; the others are read through
 * the reported count (the first n, in order), which stays right on an engine that stops at its first
 * error, and what that leaves is `unsure`, for the caller to settle.
 */
export async function insertUnordered<T>(model: Model<T>, documents: T[]): Promise<InsertedDocument[]> {
  try {
    await model.collection.insertMany(documents as never[], { ordered: false });
    return documents.map(() => 'stored');
  } catch (error) {
    const { writeErrors, insertedCount = 0 } = error as {
      writeErrors?: { index: number; code: number; errmsg?: string }[];
      insertedCount?: number;
    };
    // Not an answer about documents (the connection, the server): the caller's to handle.
    if (!Array.isArray(writeErrors) || writeErrors.length === 0) throw error;
    const failed = new Map(writeErrors.map((writeError) => [writeError.index, writeError] as const));
    let storedLeft = insertedCount;
    return documents.map((_, index): InsertedDocument => {
      const writeError = failed.get(index);
      if (writeError)
        return writeError.code === DUPLICATE_KEY
          ? 'duplicate'
          : new Error(writeError.errmsg ?? 'not inserted', { cause: error });
      if (storedLeft === 0) return 'unsure';
      storedLeft -= 1;
      return 'stored';
    });
  }
}
