import { ConsoleLogger, Logger } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { DEAD_LETTER_MAX_VALUE_BYTES, DeadLetterV1, KafkaTopic } from '@app/contracts';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { KafkaProducer, OutgoingMessage } from './kafka-producer';

const publishedBy = async (value: Buffer): Promise<DeadLetterV1> => {
  const sent: OutgoingMessage[] = [];
  const producer = Object.assign(Object.create(KafkaProducer.prototype) as KafkaProducer, {
    sendAll: async (messages: OutgoingMessage[]) => void sent.push(...messages),
  });
  const message = { key: Buffer.from('event-1'), value, offset: '42' } as KafkaMessage;
  await new DeadLetterPublisher(producer).publish(KafkaTopic.DeliveryCommands, 3, message, 'value is not JSON');
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ topic: KafkaTopic.DeadLetter, key: `${KafkaTopic.DeliveryCommands}:3:42` });
  return JSON.parse(String(sent[0].value)) as DeadLetterV1;
};

describe('DeadLetterPublisher', () => {
  // Its warning per dead letter is for operators, not for the test output.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  it('keeps the original key and value, base64, with the reason and where it came from', async () => {
    const deadLetter = await publishedBy(Buffer.from('{"version":'));
    expect(deadLetter).toMatchObject({
      version: 1,
      sourceTopic: KafkaTopic.DeliveryCommands,
      partition: 3,
      offset: '42',
      reason: 'value is not JSON',
      keyBase64: Buffer.from('event-1').toString('base64'),
      valueBase64: Buffer.from('{"version":').toString('base64'),
    });
    expect(deadLetter.valueTruncated).toBeUndefined();
  });

  it('cuts a value too large to fit in a dead letter, and says so', async () => {
    const value = Buffer.alloc(DEAD_LETTER_MAX_VALUE_BYTES + 100_000, 'a');
    const deadLetter = await publishedBy(value);
    expect(Buffer.from(deadLetter.valueBase64!, 'base64')).toEqual(value.subarray(0, DEAD_LETTER_MAX_VALUE_BYTES));
    expect(deadLetter).toMatchObject({ valueTruncated: true, valueBytes: value.length });
  });
});
