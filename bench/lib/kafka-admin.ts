import { Kafka, logLevel, Producer } from 'kafkajs';
import { sleep } from './app-process';

/** A plain kafkajs client for the bench: publishes commands and watches the apps' consumer groups. */
export class BenchKafka {
  private readonly kafka: Kafka;
  private producer?: Producer;

  constructor(brokers: string) {
    this.kafka = new Kafka({
      clientId: `bench-${process.pid}`,
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
  }

  async publish(topic: string, messages: { key: string; value: string }[], chunk = 2_000): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    for (let start = 0; start < messages.length; start += chunk) {
      await this.producer.send({ topic, acks: -1, messages: messages.slice(start, start + chunk) });
    }
  }

  /** Creates a topic of the bench's own when missing; returns once its partitions answer offset requests. */
  async ensureTopic(topic: string, partitions: number): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(topic)) {
        await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
      }
      for (let tries = 0; ; tries += 1) {
        try {
          await admin.fetchTopicOffsets(topic);
          return;
        } catch (error) {
          if (tries >= 150) throw error;
          await sleep(200);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Moves an idle group's committed offsets to the end of the topic, so that what earlier runs left
   * unconsumed (the API bench's retry commands) is not delivered during this measurement. Skipped when
   * the topic does not exist yet or the group has live members (a shared stack).
   */
  async skipBacklog(groupId: string, topic: string): Promise<boolean> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(topic)) return false;
      // Explicit high-water marks: resetOffsets({ earliest: false }) commits -1, which a consumer
      // subscribed fromBeginning reads as "no commit" and starts over from the beginning.
      const partitions = (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({
        partition,
        offset: high,
      }));
      await admin.setOffsets({ groupId, topic, partitions });
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Messages of `topic` that `groupId` has committed, summed over partitions. For the log writer, which
   * commits a batch only after storing it, that counts stored attempt logs without querying the
   * database (a count there is a full scan on FerretDB, which slowed the very runs it measured).
   */
  async committedCount(groupId: string, topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (committed?.partitions ?? []).reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** Whether `groupId` is Stable with at least `members` members whose client id starts with `clientIdPrefix`. */
  async groupIsStable(groupId: string, clientIdPrefix: string, members: number): Promise<boolean> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      const ours = group?.members.filter((member) => member.clientId.startsWith(clientIdPrefix)) ?? [];
      return group?.state === 'Stable' && ours.length >= members;
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
  }
}
