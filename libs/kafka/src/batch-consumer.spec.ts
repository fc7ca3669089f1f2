import { Logger } from '@nestjs/common';
import { Batch, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { DeliveryCommandsContract, DeliveryCommandV1, KafkaTopic } from '@app/contracts';
import { BatchConsumer, BatchConsumerOptions, ConsumedMessage } from './batch-consumer';
import { DeadLetterPublisher } from './dead-letter.publisher';

const TOPIC = KafkaTopic.DeliveryCommands;
const eventId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const command = (n: number): Buffer => Buffer.from(JSON.stringify({ version: 1, eventId: eventId(n) }));
const message = (offset: number, value: Buffer | null = command(offset)): KafkaMessage =>
  ({ offset: String(offset), key: null, value, headers: {} }) as unknown as KafkaMessage;

/** A kafkajs batch payload over `messages`, recording what the consumer resolved and how often it heartbeated. */
function payloadOf(messages: KafkaMessage[], owned: { running: boolean } = { running: true }) {
  const resolved: string[] = [];
  let heartbeats = 0;
  const payload = {
    batch: { topic: TOPIC, partition: 2, messages } as unknown as Batch,
    resolveOffset: (offset: string) => void resolved.push(offset),
    heartbeat: async () => void (heartbeats += 1),
    isRunning: () => owned.running,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, resolved, heartbeats: () => heartbeats };
}

class DependencyDown extends Error {}

function consumerWith(
  handle: (messages: ConsumedMessage<DeliveryCommandV1>[]) => Promise<void>,
  options: Partial<BatchConsumerOptions<DeliveryCommandV1>> = {},
) {
  const letters: { offset: string; reason: string }[] = [];
  const handled: string[][] = [];
  const deadLetters = {
    publish: async (_topic: string, _partition: number, dead: KafkaMessage, reason: string) =>
      void letters.push({ offset: dead.offset, reason }),
  } as unknown as DeadLetterPublisher;
  const consumer = new BatchConsumer<DeliveryCommandV1>({
    contract: DeliveryCommandsContract,
    deadLetters,
    logger: new Logger('test'),
    sliceSize: 4,
    handleSlice: async (messages) => {
      handled.push(messages.map(({ message }) => message.offset));
      await handle(messages);
    },
    isDependencyUnavailable: (error) => error instanceof DependencyDown,
    ...options,
  });
  return { consumer, letters, handled };
}

describe('BatchConsumer', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('hands the batch over a slice at a time, resolving and heartbeating after each slice', async () => {
    const { consumer, handled, letters } = consumerWith(async () => undefined);
    const { payload, resolved, heartbeats } = payloadOf([0, 1, 2, 3, 4, 5].map((n) => message(n)));
    await consumer.eachBatch(payload);
    expect(handled).toEqual([
      ['0', '1', '2', '3'],
      ['4', '5'],
    ]);
    expect(resolved).toEqual(['3', '5']);
    expect(heartbeats()).toBeGreaterThanOrEqual(2);
    expect(letters).toEqual([]);
  });

  it('parses with the topic contract: an invalid message is dead-lettered with the reason, the rest handled', async () => {
    const seen: string[] = [];
    const { consumer, handled, letters } = consumerWith(async () => undefined, {
      onMessage: (each) => void seen.push(each.offset),
    });
    const { payload, resolved } = payloadOf([message(0), message(1, Buffer.from('{not json')), message(2)]);
    await consumer.eachBatch(payload);
    expect(seen).toEqual(['0', '1', '2']);
    expect(handled).toEqual([['0', '2']]);
    expect(letters).toEqual([{ offset: '1', reason: expect.stringMatching(/^value is not valid JSON/) }]);
    expect(resolved).toEqual(['2']);
  });

  it('isolates a poison message by bisecting: only it is dead-lettered, with the error, and the batch moves on', async () => {
    const poison = eventId(5);
    const { consumer, handled, letters } = consumerWith(async (messages) => {
      if (messages.some(({ value }) => value.eventId === poison)) throw new TypeError('cannot read the payload');
    });
    const { payload, resolved } = payloadOf([0, 1, 2, 3, 4, 5, 6, 7].map((n) => message(n)));
    await consumer.eachBatch(payload);
    expect(letters).toEqual([{ offset: '5', reason: 'handler failed: cannot read the payload' }]);
    expect(resolved).toEqual(['3', '7']);
    // Every message but the poison was handled in a call that succeeded; the poison was tried alone.
    expect(handled).toContainEqual(['5']);
    expect(handled).toContainEqual(['4']);
    expect(handled).toContainEqual(['6', '7']);
  });

  it('dead-letters each message of a slice that fails on every message, and is never stuck on it', async () => {
    const { consumer, letters } = consumerWith(async () => {
      throw new RangeError('always');
    });
    const { payload, resolved } = payloadOf([0, 1, 2].map((n) => message(n)));
    await consumer.eachBatch(payload);
    expect(letters.map(({ offset }) => offset)).toEqual(['0', '1', '2']);
    expect(resolved).toEqual(['2']);
  });

  it('retries a slice while a dependency is unavailable, then handles it without dead-lettering', async () => {
    jest.useFakeTimers();
    let failures = 3;
    const { consumer, handled, letters } = consumerWith(async () => {
      if (failures-- > 0) throw new DependencyDown('database away');
    });
    const { payload, resolved } = payloadOf([message(0), message(1)]);
    const done = consumer.eachBatch(payload);
    await jest.advanceTimersByTimeAsync(10_000);
    await done;
    expect(handled).toEqual([
      ['0', '1'],
      ['0', '1'],
      ['0', '1'],
      ['0', '1'],
    ]);
    expect(letters).toEqual([]);
    expect(resolved).toEqual(['1']);
  });

  it('counts a Kafka error that means the broker is away as unavailable, too', async () => {
    jest.useFakeTimers();
    let failures = 1;
    const { consumer, letters, handled } = consumerWith(async () => {
      if (failures-- > 0) throw Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    });
    const { payload } = payloadOf([message(0)]);
    const done = consumer.eachBatch(payload);
    await jest.advanceTimersByTimeAsync(1_000);
    await done;
    expect(handled).toHaveLength(2);
    expect(letters).toEqual([]);
  });

  it('leaves the slice unresolved, and says so, when the partition is lost while a dependency is away', async () => {
    jest.useFakeTimers();
    const owned = { running: true };
    const dropped: string[] = [];
    const { consumer, letters } = consumerWith(
      async () => {
        owned.running = false;
        throw new DependencyDown('database away');
      },
      { onSliceDropped: (messages) => void dropped.push(...messages.map(({ offset }) => offset)) },
    );
    const { payload, resolved } = payloadOf([message(0), message(1)], owned);
    const done = consumer.eachBatch(payload);
    await jest.advanceTimersByTimeAsync(1_000);
    await done;
    expect(resolved).toEqual([]);
    expect(letters).toEqual([]);
    expect(dropped).toEqual(['0', '1']);
  });

  it('lets a handler dead-letter a message it knows can never succeed, and resolves past it', async () => {
    const { consumer, letters } = consumerWith(async () => undefined, {
      handleSlice: async (messages, context) => {
        for (const { message: each } of messages) await context.deadLetter(each, 'tenant unknown');
      },
    });
    const { payload, resolved } = payloadOf([message(0)]);
    await consumer.eachBatch(payload);
    expect(letters).toEqual([{ offset: '0', reason: 'tenant unknown' }]);
    expect(resolved).toEqual(['0']);
  });

  it('starts no slice once the consumer is stopping, and runs the after-slice step between slices', async () => {
    let stopping = false;
    const { consumer, handled } = consumerWith(async () => undefined, {
      afterSlice: async () => void (stopping = true),
      isStopping: () => stopping,
    });
    const { payload, resolved } = payloadOf([0, 1, 2, 3, 4].map((n) => message(n)));
    await consumer.eachBatch(payload);
    expect(handled).toEqual([['0', '1', '2', '3']]);
    expect(resolved).toEqual(['3']);
  });
});
