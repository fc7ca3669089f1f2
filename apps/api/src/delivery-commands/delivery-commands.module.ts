import { Module } from '@nestjs/common';

/**
 * DeliveryCommandPublisher comes from the global KafkaModule (@app/kafka), shared with the dispatcher's
 * retry scheduler and FIFO release. Kept only so modules that still import this one compile.
 */
@Module({})
export class DeliveryCommandsModule {}
