import { Kafka, logLevel, Producer } from 'kafkajs';

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
