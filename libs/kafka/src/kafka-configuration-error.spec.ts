import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { ConfigurationError } from '@app/common';
import { kafkaConfigurationError } from './kafka-configuration-error';

/** As kafkajs's retrier hands them on: a connection error retried until it gave up, a SASL error at once. */
const retriedConnectionError = (message: string, code: string) =>
  new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError(`Connection error: ${message}`, { code }), {
    retryCount: 5,
    retryTime: 5000,
  });
// kafkajs's typings leave out these constructors' arguments; its code takes them.
const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
const NonRetriable = KafkaJSNonRetriableError as unknown as new (error: Error, options: { cause: Error }) => Error;
const refusedSasl = (message: string) => new NonRetriable(new SaslError(message), { cause: new SaslError(message) });

describe('kafkaConfigurationError', () => {
  it.each<[string, Error, RegExp]>([
    [
      'refused SCRAM credentials',
      refusedSasl('SASL SCRAM SHA512 authentication failed: Authentication failed during authentication'),
      /^Kafka refused the SASL credentials; check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD .*\(SASL SCRAM SHA512 authentication failed/,
    ],
    [
      'a mechanism the broker does not enable',
      refusedSasl('SASL SCRAM-SHA-256 mechanism is not supported by the server'),
      /^Kafka does not accept this SASL mechanism; check KAFKA_SASL_MECHANISM/,
    ],
    [
      'a broker certificate from an untrusted CA',
      retriedConnectionError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      /^The broker's TLS certificate is not trusted; KAFKA_TLS_CA_FILE must name the CA that signed it \(Connection error: self-signed/,
    ],
    [
      'a broker certificate Node cannot chain',
      retriedConnectionError('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      /KAFKA_TLS_CA_FILE/,
    ],
    [
      'a broker certificate for another host',
      retriedConnectionError("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'),
      /does not name the host in KAFKA_BROKERS/,
    ],
    [
      'no client certificate where the broker requires one',
      retriedConnectionError('tlsv13 alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'),
      /set KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE/,
    ],
    [
      'no client certificate where Kafka requires one (Java answers bad_certificate)',
      retriedConnectionError('sslv3 alert bad certificate', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'),
      /refused the client certificate; KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE/,
    ],
    [
      'a client certificate the broker does not trust',
      retriedConnectionError('tlsv1 alert unknown ca', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'),
      /refused the client certificate; KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE must hold one it trusts/,
    ],
    [
      'TLS to a plaintext port',
      retriedConnectionError('wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'),
      /does not speak TLS on that port; check KAFKA_TLS and KAFKA_BROKERS/,
    ],
  ])('explains %s as a configuration error naming the setting', (_name, error, message) => {
    const explained = kafkaConfigurationError(error);
    expect(explained).toBeInstanceOf(ConfigurationError);
    expect(explained?.message).toMatch(message);
    expect(explained?.message).not.toContain('\n');
  });

  it.each<[string, unknown]>([
    ['a broker that is down', retriedConnectionError('connect ECONNREFUSED 127.0.0.1:9092', 'ECONNREFUSED')],
    ['a request timeout', new KafkaJSError('Request timed out')],
    ['an error of our own', new Error('Kafka topic x is not served')],
    ['something thrown that is not an error', 'boom'],
  ])('leaves %s alone: waiting or a restart may fix it', (_name, error) => {
    expect(kafkaConfigurationError(error)).toBeUndefined();
  });
});
