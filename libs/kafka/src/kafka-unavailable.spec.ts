import { isKafkaUnavailable } from './kafka-unavailable';

const kafkaError = (name: string, fields: object = {}, cause?: Error) =>
  Object.assign(new Error(name), { name, ...fields }, cause ? { cause } : {});

describe('isKafkaUnavailable', () => {
  it.each<[string, unknown, boolean]>([
    ['a connection error', kafkaError('KafkaJSConnectionError'), true],
    ['a request timeout', kafkaError('KafkaJSRequestTimeoutError'), true],
    ['no broker available', kafkaError('KafkaJSNoBrokerAvailableError'), true],
    [
      'a retriable protocol error (leader not available)',
      kafkaError('KafkaJSProtocolError', { retriable: true }),
      true,
    ],
    [
      'retries exhausted on a connection error',
      kafkaError('KafkaJSNumberOfRetriesExceeded', { retriable: false }, kafkaError('KafkaJSConnectionError')),
      true,
    ],
    [
      'a refused password (an operator fixes it; the message is fine)',
      kafkaError('KafkaJSSASLAuthenticationError'),
      true,
    ],
    ['a message too large', kafkaError('KafkaJSProtocolError', { retriable: false, type: 'MESSAGE_TOO_LARGE' }), false],
    [
      'retries exhausted on a corrupt record',
      kafkaError('KafkaJSNumberOfRetriesExceeded', {}, kafkaError('KafkaJSProtocolError', { type: 'CORRUPT_MESSAGE' })),
      false,
    ],
    ['an error of the handler', new TypeError('cannot read properties of undefined'), false],
    ['a MongoDB error', kafkaError('MongoNetworkError'), false],
    ['not an error', 'KafkaJSConnectionError', false],
  ])('%s', (_title, error, expected) => {
    expect(isKafkaUnavailable(error)).toBe(expected);
  });
});
