import { Injectable, Logger } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { DeadLetterV1, KafkaTopic } from '@app/contracts';
import { KafkaProducer } from './kafka-producer';

/** Sends a message that cannot be processed to the dead-letter topic, with the reason and its original bytes. */
@Injectable()
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);

  constructor(private readonly producer: KafkaProducer) {}

  async publish(sourceTopic: string, partition: number, message: KafkaMessage, reason: string): Promise<void> {
    const deadLetter: DeadLetterV1 = {
      version: 1,
      sourceTopic,
      partition,
      offset: message.offset,
      reason,
      failedAt: new Date().toISOString(),
      keyBase64: message.key ? message.key.toString('base64') : null,
      valueBase64: message.value ? message.value.toString('base64') : null,
    };
    this.logger.warn({ sourceTopic, partition, offset: message.offset, reason }, 'Message dead-lettered');
    await this.producer.send({
      topic: KafkaTopic.DeadLetter,
      key: `${sourceTopic}:${partition}:${message.offset}`,
      value: JSON.stringify(deadLetter),
    });
  }
}
