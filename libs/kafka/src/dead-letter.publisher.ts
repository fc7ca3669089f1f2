import { Injectable, Logger } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { DEAD_LETTER_MAX_VALUE_BYTES, DeadLetterContract, DeadLetterV1 } from '@app/contracts';
import { KafkaProducer } from './kafka-producer';

/** Sends a message that cannot be processed to the dead-letter topic, with the reason and its original bytes. */
@Injectable()
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);

  constructor(private readonly producer: KafkaProducer) {}

  async publish(sourceTopic: string, partition: number, message: KafkaMessage, reason: string): Promise<void> {
    const value = message.value;
    const truncated = value !== null && value.length > DEAD_LETTER_MAX_VALUE_BYTES;
    const deadLetter: DeadLetterV1 = {
      version: 1,
      sourceTopic,
      partition,
      offset: message.offset,
      reason,
      failedAt: new Date().toISOString(),
      keyBase64: message.key ? message.key.toString('base64') : null,
      valueBase64: value ? value.subarray(0, DEAD_LETTER_MAX_VALUE_BYTES).toString('base64') : null,
      ...(truncated ? { valueTruncated: true as const, valueBytes: value.length } : {}),
    };
    this.logger.warn({ sourceTopic, partition, offset: message.offset, reason }, 'Message dead-lettered');
    await this.producer.publish(DeadLetterContract, [deadLetter]);
  }
}
