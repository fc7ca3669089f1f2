import { mongo } from 'mongoose';

/** Driver and mongoose errors that mean "the database cannot be reached right now", not "the request is wrong". */
const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'PoolClearedOnNetworkError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  // Closed under an operation in flight: a shutdown, or MongoClientWatchdog reconnecting a stuck client.
  'MongoClientClosedError',
  'MongoServerClosedError',
  'MongoPoolClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
]);
const UNAVAILABLE_CODE_NAMES = new Set([
  'HostUnreachable',
  'HostNotFound',
  'NetworkTimeout',
  'SocketException',
  'NotWritablePrimary',
  'NotPrimaryNoSecondaryOk',
  'NotPrimaryOrSecondary',
  'InterruptedAtShutdown',
  'InterruptedDueToReplStateChange',
  'ShutdownInProgress',
  'PrimarySteppedDown',
  // The server gave up on the operation in time: the database is overloaded or going away.
  'MaxTimeMSExpired',
  'ExceededTimeLimit',
  // A failure inside the database server, not in the request: FerretDB reports a query its shutdown
  // cancelled this way ("context canceled").
  'InternalError',
]);
/**
 * Labels the driver or server puts only on errors a retry against a reachable server would fix.
 * TransientTransactionError is left out: a write conflict carries it too, and its network cases are
 * network errors anyway. (`PoolRequstedRetry` is the driver's own spelling.)
 */
const UNAVAILABLE_LABELS = ['RetryableWriteError', 'ResetPool', 'PoolRequstedRetry', 'InterruptInUseConnections'];
const SOCKET_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const SOCKET_MESSAGE =
  /socket has been ended by the other party|connection \d+ to \S+ (closed|timed out)|ECONNREFUSED|ECONNRESET|EPIPE|Server selection timed out/i;
/**
 * insertMany/bulkWrite re-throw a driver failure as a MongoBulkWriteError with the original's fields copied
 * over (its name is lost): a network error keeps `beforeHandshake`, a server selection error keeps `reason`.
 */
const WRAPPED_NETWORK_FIELDS = ['beforeHandshake', 'reason'];
/** Mongoose refuses or gives up on queries while (re)connecting with a plain MongooseError. */
const MONGOOSE_NOT_CONNECTED =
  /before initial connection is complete|Client must be connected|connection .* closed|force closed|buffering timed out/i;
/** A bare Node socket error raised inside the driver, e.g. its socket.write after the server's FIN. */
const DRIVER_FRAME = /[/\\]mongodb[/\\]lib[/\\]/;
const MAX_CAUSES = 5;

/**
 * True when `error` means MongoDB is unreachable for now (answer 503, or wait and try again), also when
 * it is wrapped (a MongoBulkWriteError, mongoose, a `cause` chain). Socket errors (EPIPE, ECONNRESET, ...)
 * count only when they come from the driver: a webhook receiver or Kafka resets connections too.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let insideDriverError = false;
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSES && current instanceof Error; depth += 1) {
    // A Kafka error is the broker's, whatever it wraps.
    if (current.name.startsWith('KafkaJS')) return false;
    if (isUnavailableItself(current, insideDriverError)) return true;
    insideDriverError ||= isDriverError(current);
    current = current.cause;
  }
  return false;
}

function isUnavailableItself(error: Error, insideDriverError: boolean): boolean {
  if (error instanceof mongo.MongoNetworkError || UNAVAILABLE_NAMES.has(error.name)) return true;
  if (error.name === 'MongooseError') return MONGOOSE_NOT_CONNECTED.test(error.message);
  if (error.name === 'MongoBulkWriteError') return isBulkWriteOfUnavailable(error);
  const { codeName } = error as { codeName?: unknown };
  if (typeof codeName === 'string' && UNAVAILABLE_CODE_NAMES.has(codeName)) return true;
  if (UNAVAILABLE_LABELS.some((label) => hasLabel(error, label))) return true;
  return isSocketError(error) && (insideDriverError || isDriverError(error) || DRIVER_FRAME.test(error.stack ?? ''));
}

function isBulkWriteOfUnavailable(error: Error): boolean {
  // Failures on the documents themselves (duplicate keys, validation) are the request's.
  const { writeErrors } = error as { writeErrors?: unknown };
  if (Array.isArray(writeErrors) && writeErrors.length > 0) return false;
  return (
    WRAPPED_NETWORK_FIELDS.some((field) => field in error) ||
    UNAVAILABLE_LABELS.some((label) => hasLabel(error, label)) ||
    isSocketError(error)
  );
}

function isSocketError(error: Error): boolean {
  const { code } = error as { code?: unknown };
  return (typeof code === 'string' && SOCKET_CODES.has(code)) || SOCKET_MESSAGE.test(error.message);
}

function isDriverError(error: Error): boolean {
  return error instanceof mongo.MongoError || /^Mongo/.test(error.name);
}

function hasLabel(error: Error, label: string): boolean {
  const labelled = error as { hasErrorLabel?: (name: string) => boolean; errorLabels?: unknown };
  if (typeof labelled.hasErrorLabel === 'function') return labelled.hasErrorLabel(label);
  return Array.isArray(labelled.errorLabels) && labelled.errorLabels.includes(label);
}
