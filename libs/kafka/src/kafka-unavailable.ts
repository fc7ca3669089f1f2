/**
 * Broker answers that blame the message itself: retrying the same message cannot succeed. Every other
 * kafkajs error (connections, timeouts, leadership moving, retries exhausted, refused credentials) is the
 * cluster's state or set-up, which a later try, or an operator, fixes.
 */
const MESSAGE_FAULTS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE']);
const MAX_CAUSES = 5;

/**
 * True when `error` comes from Kafka and does not blame the message: wait and try again. The name is
 * matched (kafkajs calls every error class KafkaJS*), which also catches errors from another kafkajs copy.
 */
export function isKafkaUnavailable(error: unknown): boolean {
  if (!(error instanceof Error) || !error.name.startsWith('KafkaJS')) return false;
  let current: unknown = error;
  // KafkaJSNumberOfRetriesExceeded and friends wrap the last try's error as their cause.
  for (let depth = 0; depth < MAX_CAUSES && current instanceof Error; depth += 1) {
    const { type } = current as { type?: unknown };
    if (typeof type === 'string' && MESSAGE_FAULTS.has(type)) return false;
    current = current.cause;
  }
  return true;
}
