/** MongoDB's duplicate-key error code. */
export const DUPLICATE_KEY = 11000;

/**
 * True for a write error made only of duplicate keys: a single write's error, or a bulk write whose
 * every error is one. Those are "already stored" answers, not failures, wherever ids are idempotency keys.
 */
export function isDuplicateKeyOnly(error: unknown): boolean {
  const { writeErrors, code } = (error ?? {}) as { writeErrors?: { code: number }[]; code?: number };
  if (Array.isArray(writeErrors) && writeErrors.length > 0) {
    return writeErrors.every((writeError) => writeError.code === DUPLICATE_KEY);
  }
  return code === DUPLICATE_KEY;
}
