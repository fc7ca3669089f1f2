import { KafkaConfig, logLevel } from 'kafkajs';
import { AppConfig } from '@app/config';

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
  };
}
