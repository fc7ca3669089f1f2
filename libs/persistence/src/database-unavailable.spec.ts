import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { Error as MongooseError, mongo } from 'mongoose';
import { isDatabaseUnavailable } from './database-unavailable';

/** The driver's PoolClearedError, which the mongodb package does not export. */
class PoolClearedError extends mongo.MongoNetworkError {
  constructor(message: string) {
    super(message);
    this.addErrorLabel('PoolRequstedRetry');
  }
  override get name(): string {
    return 'MongoPoolClearedError';
  }
}

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });
const withCode = (code: string, message: string, stack?: string) => {
  const error = Object.assign(new Error(message), { code });
  if (stack) error.stack = stack;
  return error;
};
const labelled = (label: string, codeName = 'UnknownError') => {
  const error = new mongo.MongoServerError({ errmsg: 'failed', code: 8, codeName });
  error.addErrorLabel(label);
  return error;
};
const serverError = (codeName: string, code = 1) => new mongo.MongoServerError({ errmsg: 'failed', code, codeName });
const selection = (message: string) =>
  new mongo.MongoServerSelectionError(message, { type: 'Unknown', servers: new Map() } as never);
const bulkOf = (error: unknown) => new mongo.MongoBulkWriteError(error as never, {} as never);

/** As the database-outage fault test got it on POST /v1/webhooks/events: a bare Node error out of the driver. */
const SOCKET_ENDED_STACK = `Error: This socket has been ended by the other party
    at Socket.writeAfterFIN [as write] (node:net:575:14)
    at Connection.writeCommand (/app/node_modules/mongodb/lib/cmap/connection.js:392:25)
    at Connection.sendWire (/app/node_modules/mongodb/lib/cmap/connection.js:239:24)`;
const RECEIVER_RESET_STACK = `Error: read ECONNRESET
    at TCP.onStreamRead (node:internal/stream_base_commons:218:20)`;

describe('isDatabaseUnavailable', () => {
  it.each<[string, unknown]>([
    ['MongoNetworkError', new mongo.MongoNetworkError('connection 3 to 127.0.0.1:27017 closed')],
    ['MongoNetworkTimeoutError', new mongo.MongoNetworkTimeoutError('connection 3 to 127.0.0.1:27017 timed out')],
    ['MongoPoolClearedError (a MongoNetworkError)', new PoolClearedError('Connection pool for x was cleared')],
    ['MongoPoolClearedError from another driver copy', named('MongoPoolClearedError')],
    ['MongoServerSelectionError', selection('connect ECONNREFUSED 127.0.0.1:27017')],
    ['MongooseServerSelectionError', named('MongooseServerSelectionError')],
    ['MongoTopologyClosedError', new mongo.MongoTopologyClosedError()],
    ['MongoNotConnectedError', new mongo.MongoNotConnectedError('Client must be connected before running operations')],
    ['MongoClientClosedError', new mongo.MongoClientClosedError()],
    ['MongoPoolClosedError', named('MongoPoolClosedError')],
    ['MongoWaitQueueTimeoutError', named('MongoWaitQueueTimeoutError')],
    ['MongoOperationTimeoutError', new mongo.MongoOperationTimeoutError('Timed out at socket write')],
    ['codeName NotWritablePrimary', serverError('NotWritablePrimary', 10107)],
    ['codeName ShutdownInProgress', serverError('ShutdownInProgress', 91)],
    ['codeName HostUnreachable', serverError('HostUnreachable', 6)],
    ['codeName MaxTimeMSExpired (FerretDB cancelling on shutdown)', serverError('MaxTimeMSExpired', 50)],
    ['codeName InternalError (FerretDB "context canceled")', serverError('InternalError', 1)],
    ['label ResetPool', labelled('ResetPool')],
    ['label RetryableWriteError', labelled('RetryableWriteError')],
    ['label PoolRequstedRetry', labelled('PoolRequstedRetry')],
    ['bare EPIPE from the driver (socket.write after FIN)', withCode('EPIPE', 'x', SOCKET_ENDED_STACK)],
    [
      '"socket has been ended" from the driver, without a code',
      Object.assign(new Error('This socket has been ended by the other party'), { stack: SOCKET_ENDED_STACK }),
    ],
    ...['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH'].map((code): [string, unknown] => [
      `${code} as the cause of a driver error`,
      new mongo.MongoError('failed', { cause: withCode(code, `${code} 127.0.0.1:27017`, RECEIVER_RESET_STACK) }),
    ]),
    ['MongoSystemError carrying ECONNREFUSED', Object.assign(new mongo.MongoError('x'), { code: 'ECONNREFUSED' })],
    ['bulk write of a network error', bulkOf(new mongo.MongoNetworkError('connection 1 to 127.0.0.1:47517 closed'))],
    ['bulk write of a server selection error', bulkOf(selection('connect ECONNREFUSED 127.0.0.1:47517'))],
    ['bulk write of a bare EPIPE', bulkOf(withCode('EPIPE', 'This socket has been ended by the other party'))],
    ['a cause chain ending in a network error', new Error('x', { cause: new Error('y', { cause: selection('z') }) })],
    [
      'mongoose before connecting',
      new MongooseError('Cannot call `events.findOne()` before initial connection is complete'),
    ],
    [
      'mongoose buffering timeout',
      new MongooseError('Operation `events.insertOne()` buffering timed out after 10000ms'),
    ],
    ['mongoose force-closed', new MongooseError('Connection was force closed')],
    [
      'mongoose wrapping a network error',
      Object.assign(new MongooseError('x'), { cause: new mongo.MongoNetworkError('y') }),
    ],
  ])('true for %s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'MongoNetworkError'],
    ['a duplicate key', serverError('DuplicateKey', 11000)],
    ['a bulk write that failed on its documents', bulkOf({ message: 'E11000', code: 11000, writeErrors: [{}] })],
    ['a write conflict, even labelled transient', labelled('TransientTransactionError', 'WriteConflict')],
    ['a bad query', serverError('BadValue', 2)],
    ['mongoose validation', new MongooseError.ValidationError()],
    ['a socket error outside the driver (a receiver hanging up)', withCode('ECONNRESET', 'read', RECEIVER_RESET_STACK)],
    ['"socket ended" outside the driver', withCode('EPIPE', 'This socket has been ended by the other party', '')],
    ['Kafka unreachable', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')],
    [
      'Kafka retries exhausted on a socket error',
      new KafkaJSNumberOfRetriesExceeded(withCode('ECONNRESET', 'x', SOCKET_ENDED_STACK), {
        retryCount: 5,
        retryTime: 100,
      }),
    ],
  ])('false for %s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
