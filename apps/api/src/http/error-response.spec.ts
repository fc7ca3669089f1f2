import {
  BadRequestException,
  HttpException,
  HttpStatus,
  NotFoundException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { Error as MongooseError, mongo } from 'mongoose';
import { InvalidCursorError } from '@app/persistence';
import { BROKER_UNAVAILABLE_MESSAGE, DATABASE_UNAVAILABLE_MESSAGE, toErrorResponse } from './error-response';

const bodyParserError = (status: number, type: string, message = 'raw') =>
  Object.assign(new Error(message), { status, statusCode: status, type, expose: true });

describe('toErrorResponse', () => {
  it('keeps the status and message of HTTP exceptions', () => {
    expect(toErrorResponse(new NotFoundException('Event not found'))).toEqual({
      status: 404,
      message: 'Event not found',
    });
    expect(toErrorResponse(new UnsupportedMediaTypeException('Content-Type must be application/json'))).toEqual({
      status: 415,
      message: 'Content-Type must be application/json',
    });
  });

  it('turns a list of validation messages into its first message, never an array', () => {
    const error = new BadRequestException(['webhookId must be a valid UUID', 'second']);
    expect(toErrorResponse(error)).toEqual({ status: 400, message: 'webhookId must be a valid UUID' });
  });

  it('falls back to the exception message when the body has none', () => {
    expect(toErrorResponse(new HttpException({ error: 'x' }, HttpStatus.CONFLICT))).toEqual({
      status: 409,
      message: 'Http Exception',
    });
  });

  it('maps a tampered cursor to 400', () => {
    expect(toErrorResponse(new InvalidCursorError())).toEqual({ status: 400, message: 'cursor is invalid' });
  });

  it('maps body-parser failures to client errors with stable messages', () => {
    expect(toErrorResponse(bodyParserError(400, 'entity.parse.failed', 'Unexpected token }'))).toEqual({
      status: 400,
      message: 'Request body is not valid JSON',
    });
    expect(toErrorResponse(bodyParserError(413, 'entity.too.large'))).toEqual({
      status: 413,
      message: 'Request body is too large',
    });
    expect(toErrorResponse(bodyParserError(415, 'charset.unsupported')).status).toBe(415);
  });

  it('answers 503 when Kafka is unavailable', () => {
    expect(toErrorResponse(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toEqual({
      status: 503,
      message: BROKER_UNAVAILABLE_MESSAGE,
    });
    expect(
      toErrorResponse(new KafkaJSNumberOfRetriesExceeded(new Error('timeout'), { retryCount: 5, retryTime: 100 }))
        .status,
    ).toBe(503);
  });

  it('answers 503 when MongoDB is unavailable', () => {
    const selection = new mongo.MongoServerSelectionError('Server selection timed out', {
      type: 'Unknown',
      servers: new Map(),
    } as never);
    expect(toErrorResponse(selection)).toEqual({ status: 503, message: DATABASE_UNAVAILABLE_MESSAGE });
    expect(toErrorResponse(new mongo.MongoNetworkError('connection reset')).status).toBe(503);
    const notConnected = new MongooseError(
      'Cannot call `events.findOne()` before initial connection is complete if `bufferCommands = false`.',
    );
    expect(toErrorResponse(notConnected).status).toBe(503);
  });

  it('answers 503 when the server gives up on an operation in time or fails inside (FerretDB shutting down)', () => {
    const cancelled = new mongo.MongoServerError({
      errmsg: '[msg_find.go:344 handler.handleMaxTimeMSError] context canceled after delay',
      code: 50,
      codeName: 'MaxTimeMSExpired',
    });
    expect(toErrorResponse(cancelled)).toEqual({ status: 503, message: DATABASE_UNAVAILABLE_MESSAGE });
    const shutDown = new mongo.MongoServerError({
      errmsg: '[msg_find.go:344 handler.handleMaxTimeMSError] [query_iterator.go:79] context canceled after delay',
      code: 1,
      codeName: 'InternalError',
    });
    expect(toErrorResponse(shutDown).status).toBe(503);
    const duplicate = new mongo.MongoServerError({
      errmsg: 'E11000 duplicate key',
      code: 11000,
      codeName: 'DuplicateKey',
    });
    expect(toErrorResponse(duplicate).status).toBe(500);
  });

  it('answers 503 when an insertMany loses its connection (the driver wraps it in MongoBulkWriteError)', () => {
    // As seen in the database-outage fault test: the API answered 500 for "connection 1 ... closed".
    const closed = new mongo.MongoBulkWriteError(
      new mongo.MongoNetworkError('connection 1 to 127.0.0.1:47517 closed'),
      {} as never,
    );
    expect(toErrorResponse(closed)).toEqual({ status: 503, message: DATABASE_UNAVAILABLE_MESSAGE });
    const selection = new mongo.MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:47517', {
      type: 'Unknown',
      servers: new Map(),
    } as never);
    expect(toErrorResponse(new mongo.MongoBulkWriteError(selection, {} as never)).status).toBe(503);
  });

  // The whole table of driver errors is in libs/persistence (isDatabaseUnavailable); these are the API's cases.
  it.each<[string, unknown]>([
    [
      'a bare EPIPE out of the driver (seen in the database-outage fault test)',
      Object.assign(new Error('This socket has been ended by the other party'), {
        code: 'EPIPE',
        stack: [
          'Error: This socket has been ended by the other party',
          '    at Socket.writeAfterFIN [as write] (node:net:575:14)',
          '    at Connection.writeCommand (/app/node_modules/mongodb/lib/cmap/connection.js:392:25)',
        ].join('\n'),
      }),
    ],
    ['the topology closed under a request', new mongo.MongoTopologyClosedError()],
    [
      'the client not connected',
      new mongo.MongoNotConnectedError('Client must be connected before running operations'),
    ],
    ['a network error as the cause of another', new Error('x', { cause: new mongo.MongoNetworkError('closed') })],
  ])('answers 503 "database unavailable" for %s', (_case, error) => {
    expect(toErrorResponse(error)).toEqual({ status: 503, message: DATABASE_UNAVAILABLE_MESSAGE });
  });

  it.each<[string, unknown, number, string]>([
    [
      'a Kafka connection refused (a socket code, but the broker is away)',
      new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', {
        code: 'ECONNREFUSED',
      } as never),
      503,
      BROKER_UNAVAILABLE_MESSAGE,
    ],
    [
      'a socket error from outside the driver',
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', stack: 'Error: read ECONNRESET' }),
      500,
      'Internal server error',
    ],
  ])('keeps %s out of "database unavailable"', (_case, error, status, message) => {
    expect(toErrorResponse(error)).toEqual({ status, message });
  });

  it('keeps a bulk write that failed on its documents a 500, not "unavailable"', () => {
    const duplicate = new mongo.MongoBulkWriteError(
      { message: 'E11000 duplicate key error', code: 11000, writeErrors: [{ code: 11000 }] } as never,
      {} as never,
    );
    expect(toErrorResponse(duplicate).status).toBe(500);
  });

  it('answers 500 for anything unexpected (a bug), without leaking its message', () => {
    expect(toErrorResponse(new TypeError('x is undefined'))).toEqual({ status: 500, message: 'Internal server error' });
    expect(toErrorResponse('a string')).toEqual({ status: 500, message: 'Internal server error' });
    expect(toErrorResponse(Object.assign(new Error('secret detail'), { status: 400 }))).toEqual({
      status: 500,
      message: 'Internal server error',
    });
  });
});
