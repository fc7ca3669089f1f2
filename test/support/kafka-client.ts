import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, KafkaConfig, KafkaMessage, logLevel, Producer } from 'kafkajs';
import { DeadLetterV1, KafkaTopic } from '@app/contracts';
import { testKafkaBrokers } from './infra';

/** A plain kafkajs client, as another team's service would use: no project code involved. */
export class TestKafka {
  private readonly kafka: Kafka;
  private producer?: Producer;
  private readonly consumers: Consumer[] = [];

  /** On the shared test broker unless a test runs a broker of its own; `security` for a SASL/TLS listener. */
  constructor(brokers: string = testKafkaBrokers(), security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {}) {
    this.kafka = new Kafka({
      clientId: `test-${process.pid}`,
      brokers: [brokers],
      logLevel: logLevel.NOTHING,
      ...security,
    });
  }

  async publish(
    topic: string,
    messages: { key?: string; value: string | Buffer; partition?: number; headers?: Record<string, string> }[],
  ): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    await this.producer.send({ topic, acks: -1, messages });
  }

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

  /**
   * Every dead letter on the broker, from the beginning, and those still to come. Call it once the apps
   * have started: they create the topics, and subscribing to a topic a fresh broker lacks fails.
   */
  async collectDeadLetters(): Promise<DeadLetters> {
    return new DeadLetters(await this.collect(KafkaTopic.DeadLetter, { fromBeginning: true }));
  }

  /** Partitions of the smallest of `topics`, so a test can put a message on each partition of all of them. */
  async partitionCount(...topics: string[]): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      return Math.min(...metadata.topics.map((topic) => topic.partitions.length));
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.disconnect()));
    await this.producer?.disconnect();
  }
}

/**
 * The dead-letter topic as collected so far, decoded. It holds letters of earlier runs and other suites
 * too, so a test picks out its own by source topic and by the original key or value it sent.
 */
export class DeadLetters {
  constructor(private readonly messages: KafkaMessage[]) {}

  /** Letters for messages taken from `sourceTopic`, in the order they arrived. */
  from(sourceTopic: string): DeadLetterV1[] {
    return this.messages
      .map((message) => JSON.parse(message.value!.toString('utf8')) as DeadLetterV1)
      .filter((letter) => letter.sourceTopic === sourceTopic);
  }

  /** Letters for messages taken from `sourceTopic`, by the original message's key (keyless ones left out). */
  byOriginalKey(sourceTopic: string): Map<string, DeadLetterV1> {
    const found = new Map<string, DeadLetterV1>();
    for (const letter of this.from(sourceTopic)) {
      const key = originalKey(letter);
      if (key !== null) found.set(key, letter);
    }
    return found;
  }
}

/** The key of the message a letter stands for, as UTF-8, or null when it had none. */
export function originalKey(letter: DeadLetterV1): string | null {
  return letter.keyBase64 === null ? null : Buffer.from(letter.keyBase64, 'base64').toString('utf8');
}

/** The bytes of the message a letter stands for, or null when it had no value. */
export function originalValue(letter: DeadLetterV1): Buffer | null {
  return letter.valueBase64 === null ? null : Buffer.from(letter.valueBase64, 'base64');
}
