/**
 * kafkajs errors that mean "the cluster cannot take this right now" rather than "this request is wrong":
 * connections, timeouts, leadership moving, retries exhausted on any of those.
 */
const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSTimeout',
]);
const MAX_CAUSES = 5;

/** True when `error`, or an error it wraps, says Kafka is unreachable or not ready for now. */
export function isKafkaUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSES && current instanceof Error; depth += 1) {
    if (current.name.startsWith('KafkaJS')) {
      if (UNAVAILABLE_NAMES.has(current.name)) return true;
      // A retriable protocol error (leader not available, not coordinator, ...) a later try would fix.
      if ((current as { retriable?: unknown }).retriable === true) return true;
    }
    // KafkaJSNumberOfRetriesExceeded wraps the last try's error as its cause.
    current = current.cause;
  }
  return false;
}
