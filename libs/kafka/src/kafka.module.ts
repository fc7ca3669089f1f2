import { Global, Module } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig } from '@app/config';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { DeliveryCommandPublisher } from './delivery-command.publisher';
import { KafkaHealthIndicator } from './kafka-health.indicator';
import { kafkaClientConfig } from './kafka-options';
import { KAFKA_CLIENT, KafkaProducer } from './kafka-producer';
import { TopicProvisioner } from './topic-provisioner';

@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: KAFKA_CLIENT,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new ClientKafka({
          client: kafkaClientConfig(config, 'producer'),
          producerOnlyMode: true,
          // Idempotent: a retried send after a lost ack is not written twice.
          producer: { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false },
        }),
    },
    KafkaProducer,
    TopicProvisioner,
    KafkaHealthIndicator,
    DeadLetterPublisher,
    DeliveryCommandPublisher,
  ],
  exports: [KafkaProducer, TopicProvisioner, KafkaHealthIndicator, DeadLetterPublisher, DeliveryCommandPublisher],
})
export class KafkaModule {}
