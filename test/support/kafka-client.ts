import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, KafkaMessage, logLevel, Producer } from 'kafkajs';
import { testKafkaBrokers } from './infra';

/** A plain kafkajs client, as another team's service would use: no project code involved. */
export class TestKafka {
  private readonly kafka = new Kafka({
    clientId: `test-${process.pid}`,
    brokers: [testKafkaBrokers()],
    logLevel: logLevel.NOTHING,
  });
  private producer?: Producer;
  private readonly consumers: Consumer[] = [];

  async publish(
    topic: string,
    messages: { key?: string; value: string | Buffer; partition?: number }[],
  ): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    await this.producer.send({ topic, acks: -1, messages });
  }

  /** Collects every message on `topic` from now on (new consumer group, starting at the end). */
  /**
   * Everything published to `topic` from now on; with `fromBeginning`, also what is already there
   * (which avoids the race between joining and the first fetch; filter by content).
   */
  async collect(topic: string, { fromBeginning = false } = {}): Promise<KafkaMessage[]> {
    const consumer = this.kafka.consumer({ groupId: `test-collector-${randomUUID()}` });
    this.consumers.push(consumer);
    const collected: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning });
    let joined!: () => void;
    const hasJoined = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({ eachMessage: async ({ message }) => void collected.push(message) });
    await hasJoined;
    return collected;
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.disconnect()));
    await this.producer?.disconnect();
  }
}
