/** Value of a message on `webhooks.dead-letter.v1`. The original bytes are kept so nothing is lost. */
export interface DeadLetterV1 {
  version: 1;
  sourceTopic: string;
  partition: number;
  offset: string;
  reason: string;
  failedAt: string;
  /** The original key and value, base64, exactly as received (the value cut to its first 512 KiB, see below). */
  keyBase64: string | null;
  valueBase64: string | null;
  /**
   * Set when the original value was longer than 512 KiB: base64 would push the dead letter past the
   * broker's message size. The whole message stays in the source topic, at this offset, until retention.
   */
  valueTruncated?: true;
  /** Length of the original value in bytes, when it was truncated. */
  valueBytes?: number;
}

/** Longest original value a dead letter carries; base64 of it plus the envelope stays under 1 MiB. */
export const DEAD_LETTER_MAX_VALUE_BYTES = 512 * 1024;
