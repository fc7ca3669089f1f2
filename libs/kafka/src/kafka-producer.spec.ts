import { ClientKafka } from '@nestjs/microservices';
import { Logger } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { KafkaTopic } from '@app/contracts';
import { KafkaProducer, OutgoingMessage, splitBySize } from './kafka-producer';

const message = (bytes: number): OutgoingMessage => ({
  topic: KafkaTopic.DeliveryCommands,
  key: 'k',
  value: 'x'.repeat(bytes - 1),
});

describe('splitBySize', () => {
  it('keeps small batches in one request', () => {
    const batch = [message(100), message(100), message(100)];
    expect(splitBySize(batch, 1_000)).toEqual([batch]);
  });

  it('starts a new request before one would go over the limit, keeping the order', () => {
    const batch = [message(400), message(400), message(400), message(100)];
    expect(splitBySize(batch, 1_000)).toEqual([
      [batch[0], batch[1]],
      [batch[2], batch[3]],
    ]);
  });

  it('sends a message larger than the limit on its own', () => {
    const batch = [message(10), message(5_000), message(10)];
    expect(splitBySize(batch, 1_000)).toEqual([[batch[0]], [batch[1]], [batch[2]]]);
  });
});

describe('KafkaProducer', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new Logger()));

  /** A kafkajs producer whose sends fail with the given errors, in turn, then succeed. */
  const fakeProducer = (failures: Error[] = []) => {
    const values: string[] = [];
    const producer = {
      values,
      sendBatch: jest.fn(async ({ topicMessages }: { topicMessages: { messages: { value: string }[] }[] }) => {
        const failure = failures.shift();
        if (failure) throw failure;
        values.push(...topicMessages.flatMap(({ messages }) => messages.map(({ value }) => value)));
        return [];
      }),
    };
    return producer;
  };
  /** A ClientKafka whose connect() gives these producers (or throws these errors) in turn. */
  const fakeClient = (connections: (ReturnType<typeof fakeProducer> | Error)[]) => ({
    connect: jest.fn(async () => {
      const next = connections.shift();
      if (!next || next instanceof Error) throw next ?? new Error('no producer left');
      return next as unknown as Producer;
    }),
    close: jest.fn(async () => undefined),
  });
  const command = (value: string): OutgoingMessage => ({ topic: KafkaTopic.DeliveryCommands, key: 'k', value });

  async function started(client: ReturnType<typeof fakeClient>): Promise<KafkaProducer> {
    const producer = new KafkaProducer(client as unknown as ClientKafka);
    await producer.onModuleInit();
    return producer;
  }

  it('keeps one producer while its sends succeed', async () => {
    const only = fakeProducer();
    const client = fakeClient([only]);
    const producer = await started(client);
    await producer.send(command('a'));
    await producer.send(command('b'));
    expect(only.values).toEqual(['a', 'b']);
    expect(client.connect).toHaveBeenCalledTimes(1);
    expect(client.close).not.toHaveBeenCalled();
  });

  // kafkajs takes back the sequence numbers of a failed request the broker may have written; the next
  // request of the same producer would reuse them and be acknowledged as a duplicate without being written.
  it('never sends again through a producer whose send failed: the next send goes through a new one', async () => {
    const first = fakeProducer([new Error('Connection closed')]);
    const second = fakeProducer();
    const client = fakeClient([first, second]);
    const producer = await started(client);

    await expect(producer.send(command('a'))).rejects.toThrow('Connection closed');
    await producer.send(command('b'));

    expect(first.sendBatch).toHaveBeenCalledTimes(1);
    expect(second.values).toEqual(['b']);
    expect(client.close).toHaveBeenCalledTimes(1);
  });

  it('fails a send while no new producer can connect, and tries again with the next one', async () => {
    const first = fakeProducer([new Error('Connection closed')]);
    const third = fakeProducer();
    const client = fakeClient([first, new Error('ECONNREFUSED'), third]);
    const producer = await started(client);

    await expect(producer.send(command('a'))).rejects.toThrow('Connection closed');
    await expect(producer.send(command('b'))).rejects.toThrow('ECONNREFUSED');
    await producer.send(command('c'));

    expect(first.sendBatch).toHaveBeenCalledTimes(1);
    expect(third.values).toEqual(['c']);
  });
});
