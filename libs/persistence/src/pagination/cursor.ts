import { FilterQuery } from 'mongoose';

/** Position after the last item of a page, for lists sorted by (createdAt desc, _id desc). */
export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is invalid');
  }
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.createdAt.getTime()}|${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,15})\|([0-9a-f-]{36})$/.exec(text);
  if (!match) throw new InvalidCursorError();
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}

/**
 * Items strictly after the cursor in (field desc, _id desc) order. Items created after the walk began
 * sort before the first page, so a walk returns every item that existed when it started exactly once.
 */
export function afterCursor<T>(position: CursorPosition | undefined, field = 'createdAt'): FilterQuery<T> {
  if (!position) return {};
  return {
    $or: [{ [field]: { $lt: position.createdAt } }, { [field]: position.createdAt, _id: { $lt: position.id } }],
  } as FilterQuery<T>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Callers fetch limit + 1 rows; the extra row only tells whether another page exists. */
export function toPage<T extends { _id: string }>(
  rows: T[],
  limit: number,
  field: keyof T & string = 'createdAt' as keyof T & string,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > limit && last ? encodeCursor({ createdAt: last[field] as unknown as Date, id: last._id }) : null;
  return { items, nextCursor };
}
