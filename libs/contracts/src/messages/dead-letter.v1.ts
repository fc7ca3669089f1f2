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

/**
 * A dead letter's id, `<source topic>:<partition>:<offset>`: where the message it stands for was read.
 * Also its key on the dead-letter topic, and what `npm run cli -- dead-letters` shows and takes.
 */
export const deadLetterIdOf = (letter: Pick<DeadLetterV1, 'sourceTopic' | 'partition' | 'offset'>): string =>
  `${letter.sourceTopic}:${letter.partition}:${letter.offset}`;

/**
 * A message's Kafka coordinates as an id, `kafka:<topic>:<partition>:<offset>`: the command id of a
 * delivery command and the idempotency key of a published event that bring none, so that the same
 * message read again changes nothing. A replayed dead letter carries the id of its original coordinates.
 */
export const kafkaSourceIdOf = (topic: string, partition: number, offset: string): string =>
  `kafka:${topic}:${partition}:${offset}`;
