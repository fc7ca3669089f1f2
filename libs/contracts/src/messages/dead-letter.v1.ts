/** Value of a message on `webhooks.dead-letter.v1`. The original bytes are kept so nothing is lost. */
export interface DeadLetterV1 {
  version: 1;
  sourceTopic: string;
  partition: number;
  offset: string;
  reason: string;
  failedAt: string;
  /** The original key and value, base64, exactly as received. */
  keyBase64: string | null;
  valueBase64: string | null;
}
