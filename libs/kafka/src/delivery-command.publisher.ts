import { Injectable } from '@nestjs/common';
import { buildDeliveryCommand, DeliveryCommandsContract, DeliveryCommandV1, DeliveryRequest } from '@app/contracts';
import { KafkaProducer } from './kafka-producer';

/**
 * The one way to ask for deliveries, for the API, the retry scheduler and FIFO release alike. Resolves
 * only once Kafka has acknowledged every command (acks=all), so an HTTP 2xx means the work cannot be lost.
 */
@Injectable()
export class DeliveryCommandPublisher {
  constructor(private readonly producer: KafkaProducer) {}

  async publish(requests: DeliveryRequest[]): Promise<DeliveryCommandV1[]> {
    if (requests.length === 0) return [];
    const now = new Date();
    const commands = requests.map((request) => buildDeliveryCommand(request, now));
    await this.producer.publish(DeliveryCommandsContract, commands);
    return commands;
  }
}
