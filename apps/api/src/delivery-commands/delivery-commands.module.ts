import { Module } from '@nestjs/common';
import { DeliveryCommandPublisher } from './delivery-command.publisher';

/** The API's only way to ask for deliveries (KafkaProducer itself comes from the global KafkaModule). */
@Module({
  providers: [DeliveryCommandPublisher],
  exports: [DeliveryCommandPublisher],
})
export class DeliveryCommandsModule {}
