import { KafkaConfig, logLevel, SASLOptions } from 'kafkajs';
import { AppConfig, FileReader, KafkaSecuritySettings, readKafkaPasswordFile, readKafkaSettingFile } from '@app/config';

/** kafkajs client settings shared by every producer, consumer and admin in both apps. */
export function kafkaClientConfig(config: AppConfig, role: string): KafkaConfig {
  return {
    clientId: `${config.get('KAFKA_CLIENT_ID')}-${role}`,
    brokers: config.kafkaBrokers,
    logLevel: logLevel.WARN,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    // Give up on a send after ~10 s of broker trouble, so the API can answer 503 instead of hanging.
    retry: { initialRetryTime: 200, retries: 5, maxRetryTime: 5_000 },
    ...kafkaSecurityOptions(kafkaSecuritySettings(config)),
  };
}

export function kafkaSecuritySettings(config: AppConfig): KafkaSecuritySettings {
  return {
    KAFKA_SASL_MECHANISM: config.get('KAFKA_SASL_MECHANISM'),
    KAFKA_SASL_USERNAME: config.get('KAFKA_SASL_USERNAME'),
    KAFKA_SASL_PASSWORD: config.get('KAFKA_SASL_PASSWORD'),
    KAFKA_SASL_PASSWORD_FILE: config.get('KAFKA_SASL_PASSWORD_FILE'),
    KAFKA_TLS: config.get('KAFKA_TLS'),
    KAFKA_TLS_CA_FILE: config.get('KAFKA_TLS_CA_FILE'),
    KAFKA_TLS_CERT_FILE: config.get('KAFKA_TLS_CERT_FILE'),
    KAFKA_TLS_KEY_FILE: config.get('KAFKA_TLS_KEY_FILE'),
  };
}

/**
 * kafkajs's `ssl` and `sasl` from the settings (libs/config has checked they go together). Files are read
 * on every call, so a client made after a certificate renewal picks the new one up. Certificates are
 * always verified: an operator with a private CA names it in KAFKA_TLS_CA_FILE.
 */
export function kafkaSecurityOptions(
  settings: KafkaSecuritySettings,
  read?: FileReader,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (settings.KAFKA_TLS) {
    const pem = (setting: 'KAFKA_TLS_CA_FILE' | 'KAFKA_TLS_CERT_FILE' | 'KAFKA_TLS_KEY_FILE') =>
      settings[setting] ? readKafkaSettingFile(setting, settings[setting], read) : undefined;
    // Without a CA file, Node's public CAs; undefined fields are left to Node's defaults.
    options.ssl = {
      rejectUnauthorized: true,
      ca: pem('KAFKA_TLS_CA_FILE'),
      cert: pem('KAFKA_TLS_CERT_FILE'),
      key: pem('KAFKA_TLS_KEY_FILE'),
    };
  }
  if (settings.KAFKA_SASL_MECHANISM) {
    const password = settings.KAFKA_SASL_PASSWORD_FILE
      ? readKafkaPasswordFile(settings.KAFKA_SASL_PASSWORD_FILE, read)
      : settings.KAFKA_SASL_PASSWORD;
    options.sasl = {
      mechanism: settings.KAFKA_SASL_MECHANISM,
      username: settings.KAFKA_SASL_USERNAME,
      password,
    } as SASLOptions;
  }
  return options;
}
