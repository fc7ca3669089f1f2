import { ConfigurationError } from '@app/common';

/** Node's codes for a broker certificate that does not chain up to a trusted CA, or is not valid now. */
const UNTRUSTED_BROKER_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/** TLS alerts a broker sends when it refuses the client's certificate (mutual TLS). */
const REFUSED_CLIENT_CERTIFICATE = new Set([
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
]);

/**
 * A Kafka failure that waiting or restarting cannot fix (refused credentials, an untrusted certificate),
 * as a ConfigurationError naming the setting to change; undefined for anything else, such as a broker
 * that is down. kafkajs wraps the cause (a retried connection error in KafkaJSNumberOfRetriesExceeded, a
 * SASL error in KafkaJSNonRetriableError), so the whole chain is searched.
 */
export function kafkaConfigurationError(error: unknown): ConfigurationError | undefined {
  for (const cause of causes(error)) {
    const explained = explain(cause);
    if (explained) return new ConfigurationError(explained);
  }
  return undefined;
}

function explain(error: { name?: string; code?: string; message?: string }): string | undefined {
  const detail = firstLine(error.message);
  if (error.name === 'KafkaJSSASLAuthenticationError') {
    if (/mechanism is not supported/i.test(detail)) {
      return `Kafka does not accept this SASL mechanism; check KAFKA_SASL_MECHANISM (${detail})`;
    }
    return (
      'Kafka refused the SASL credentials; check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD ' +
      `(or KAFKA_SASL_PASSWORD_FILE) (${detail})`
    );
  }
  const code = error.code ?? '';
  if (UNTRUSTED_BROKER_CERTIFICATE.has(code)) {
    return `The broker's TLS certificate is not trusted; KAFKA_TLS_CA_FILE must name the CA that signed it (${detail})`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `The broker's TLS certificate does not name the host in KAFKA_BROKERS (${detail})`;
  }
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') {
    return `Kafka requires a client certificate; set KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE (${detail})`;
  }
  if (REFUSED_CLIENT_CERTIFICATE.has(code)) {
    return `Kafka refused the client certificate; KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE must hold one it trusts (${detail})`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return `The broker does not speak TLS on that port; check KAFKA_TLS and KAFKA_BROKERS (${detail})`;
  }
  return undefined;
}

/** The error and what it wraps (`cause`, kafkajs's `originalError`, an aggregate's `errors`), each once. */
function causes(error: unknown): { name?: string; code?: string; message?: string }[] {
  const found: object[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const next = pending.shift();
    if (typeof next !== 'object' || next === null || found.includes(next)) continue;
    found.push(next);
    const { cause, originalError, errors } = next as { cause?: unknown; originalError?: unknown; errors?: unknown };
    pending.push(cause, originalError, ...(Array.isArray(errors) ? errors : []));
  }
  return found;
}

function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0].trim();
}
