import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Environment, parseDuration, parseDurationList } from './environment';
import { KafkaTopicSettings } from './kafka-topic-settings';
import { parseTrustProxy, TrustProxy } from './trust-proxy';

/** Typed, validated configuration; the one way the apps read their settings. */
@Injectable()
export class AppConfig {
  constructor(private readonly config: ConfigService<Environment, true>) {}

  get<K extends keyof Environment>(key: K): Environment[K] {
    return this.config.get(key, { infer: true });
  }

  durationMs(key: { [K in keyof Environment]: Environment[K] extends string ? K : never }[keyof Environment]): number {
    return parseDuration(this.get(key) as string);
  }

  durationListMs(key: 'RETRY_SCHEDULE'): number[] {
    return parseDurationList(this.get(key));
  }

  /** TRUST_PROXY as Express's `trust proxy` setting takes it (validated at start-up). */
  get trustProxy(): TrustProxy {
    return parseTrustProxy(this.get('TRUST_PROXY')) ?? false;
  }

  /** Each of the project's topics with its partitions, replication and topic configs (validated at start-up). */
  get kafkaTopics(): KafkaTopicSettings[] {
    return this.get('kafkaTopics');
  }

  get kafkaBrokers(): string[] {
    return this.get('KAFKA_BROKERS')
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean);
  }
}
