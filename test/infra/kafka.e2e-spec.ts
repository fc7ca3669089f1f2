import { randomUUID } from 'node:crypto';
import { Admin, Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { testKafkaBrokers } from '../support/infra';
import { sleep } from '../support/wait-for';

/**
 * The local broker must behave as the dispatcher expects: multi-partition topics, idempotent
 * acks=all producing, and a consumer group that resumes after its committed offsets.
 */
describe('Kafka test broker', () => {
  const runId = randomUUID().slice(0, 8);
  const topic = `infra-smoke-${runId}`;
  const groupId = `infra-smoke-${runId}`;
  const kafka = new Kafka({ clientId: 'infra-smoke', brokers: [testKafkaBrokers()], logLevel: logLevel.ERROR });
  let admin: Admin;
  let producer: Producer;
  const running = new Set<Consumer>();

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  }, 30_000);

  afterAll(async () => {
    await Promise.all([...running].map((consumer) => consumer.disconnect()));
    await producer?.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined); // absent when the test failed early
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  }, 30_000);

  it('a consumer group resumes after the offsets it committed', async () => {
    const firstBatch = await produce('first', 9);
    const first = await consumeUntil(firstBatch.length);
    expect(first.values.sort()).toEqual(firstBatch.sort());
    await first.consumer.commitOffsets(first.nextOffsets());
    await stop(first.consumer);

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    expect(byPartition(committed[0].partitions)).toEqual(byPartition(ends.map((p) => ({ ...p, offset: p.high }))));

    const secondBatch = await produce('second', 6);
    // subscribe() uses fromBeginning, so only a committed offset keeps the first batch from coming back.
    const second = await consumeUntil(secondBatch.length);
    expect(second.values.sort()).toEqual(secondBatch.sort());
    await stop(second.consumer);
  }, 60_000);

  /** Sends `count` messages spread over all three partitions with acks from all in-sync replicas. */
  async function produce(prefix: string, count: number): Promise<string[]> {
    const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    await producer.send({
      topic,
      acks: -1,
      messages: values.map((value, i) => ({ key: value, value, partition: i % 3 })),
    });
    return values;
  }

  async function consumeUntil(count: number) {
    // disconnect() waits for the fetch in flight, which long-polls up to maxWaitTimeInMs (default 5 s).
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
    running.add(consumer);
    const values: string[] = [];
    const lastOffsets = new Map<number, string>();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    // Commits are explicit so the test decides exactly what the group has processed.
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        values.push(message.value!.toString());
        lastOffsets.set(partition, message.offset);
      },
    });
    await waitFor(() => values.length >= count, `${count} messages (got ${values.length})`);
    const nextOffsets = () =>
      [...lastOffsets].map(([partition, offset]) => ({ topic, partition, offset: String(BigInt(offset) + 1n) }));
    return { consumer, values, nextOffsets };
  }

  async function stop(consumer: Consumer): Promise<void> {
    await consumer.disconnect();
    running.delete(consumer);
  }
});

function byPartition(offsets: { partition: number; offset: string }[]): Record<number, string> {
  return Object.fromEntries(offsets.map(({ partition, offset }) => [partition, offset]));
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
