import { ConfigService } from '@nestjs/config';
import { AppConfig, KafkaSecuritySettings, validateEnvironment } from '@app/config';
import { kafkaClientConfig, kafkaSecurityOptions } from './kafka-options';

const NONE: KafkaSecuritySettings = {
  KAFKA_SASL_MECHANISM: '',
  KAFKA_SASL_USERNAME: '',
  KAFKA_SASL_PASSWORD: '',
  KAFKA_SASL_PASSWORD_FILE: '',
  KAFKA_TLS: false,
  KAFKA_TLS_CA_FILE: '',
  KAFKA_TLS_CERT_FILE: '',
  KAFKA_TLS_KEY_FILE: '',
};
const files: Record<string, string> = {
  '/tls/ca.pem': 'CA PEM',
  '/tls/client.pem': 'CERT PEM',
  '/tls/client.key': 'KEY PEM',
  '/sasl/password': 'from-file\n',
};
const read = (path: string) => {
  if (path in files) return files[path];
  throw new Error(`ENOENT: no such file or directory, open '${path}'`);
};
const options = (settings: Partial<KafkaSecuritySettings>) => kafkaSecurityOptions({ ...NONE, ...settings }, read);

describe('kafkaSecurityOptions', () => {
  it.each<[string, Partial<KafkaSecuritySettings>, object]>([
    ['nothing: plaintext, no SASL', {}, {}],
    ['TLS with Node’s CAs', { KAFKA_TLS: true }, { ssl: { rejectUnauthorized: true } }],
    [
      'TLS with a CA bundle and a client certificate',
      {
        KAFKA_TLS: true,
        KAFKA_TLS_CA_FILE: '/tls/ca.pem',
        KAFKA_TLS_CERT_FILE: '/tls/client.pem',
        KAFKA_TLS_KEY_FILE: '/tls/client.key',
      },
      { ssl: { rejectUnauthorized: true, ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' } },
    ],
    [
      'SASL/PLAIN',
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'app', KAFKA_SASL_PASSWORD: 'inline' },
      { sasl: { mechanism: 'plain', username: 'app', password: 'inline' } },
    ],
    [
      'SASL/SCRAM-SHA-256 with the password from a file',
      { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'app', KAFKA_SASL_PASSWORD_FILE: '/sasl/password' },
      { sasl: { mechanism: 'scram-sha-256', username: 'app', password: 'from-file' } },
    ],
    [
      'SASL/SCRAM-SHA-512 over TLS',
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'app',
        KAFKA_SASL_PASSWORD: 'inline',
        KAFKA_TLS: true,
        KAFKA_TLS_CA_FILE: '/tls/ca.pem',
      },
      {
        ssl: { rejectUnauthorized: true, ca: 'CA PEM' },
        sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'inline' },
      },
    ],
  ])('%s', (_name, settings, expected) => expect(options(settings)).toEqual(expected));

  it('names the setting whose file has gone since start-up', () => {
    expect(() => options({ KAFKA_TLS: true, KAFKA_TLS_CA_FILE: '/tls/renamed.pem' })).toThrow(
      /^KAFKA_TLS_CA_FILE: cannot read \/tls\/renamed\.pem/,
    );
  });
});

describe('kafkaClientConfig', () => {
  const config = (env: Record<string, string>) => new AppConfig(new ConfigService(validateEnvironment(env)));

  it('is plaintext without SASL unless configured, so existing deployments are unchanged', () => {
    const client = kafkaClientConfig(config({ KAFKA_BROKERS: 'a:9092, b:9092' }), 'producer');
    expect(client).toMatchObject({ clientId: 'webhook-delivery-producer', brokers: ['a:9092', 'b:9092'] });
    expect(client.ssl).toBeUndefined();
    expect(client.sasl).toBeUndefined();
  });

  it('carries the SASL and TLS settings to every client', () => {
    const client = kafkaClientConfig(
      config({
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'app',
        KAFKA_SASL_PASSWORD: 'inline',
        KAFKA_TLS: 'true',
      }),
      'admin',
    );
    expect(client.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'app', password: 'inline' });
    expect(client.ssl).toEqual({ rejectUnauthorized: true });
  });
});
