import { randomUUID } from 'node:crypto';
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { AppConfig } from '@app/config';
import { kafkaClientConfig } from './kafka-options';

/** A message as read, with where it sits. */
export interface ReadMessage {
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads every message a topic holds now, from the oldest kept to the end offsets taken at the start, and
 * returns them by partition and offset; what arrives meanwhile is left out. For operator commands: the
 * consumer group is a throw-away one that commits nothing and is deleted afterwards, so no group the apps
 * consume with is moved or rebalanced.
 */
export async function readTopicToEnd(config: AppConfig, topic: string): Promise<ReadMessage[]> {
  const kafka = new Kafka({ ...kafkaClientConfig(config, 'reader'), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<number, bigint>();
    for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) ends.set(partition, BigInt(high));
    }
    if (ends.size === 0) return [];
    const groupId = `${config.get('KAFKA_CLIENT_ID')}-reader-${randomUUID()}`;
    try {
      return await readUntil(kafka, groupId, topic, ends);
    } finally {
      await admin.deleteGroups([groupId]).catch(() => undefined); // never joined when the read failed early
    }
  } finally {
    await admin.disconnect();
  }
}

async function readUntil(kafka: Kafka, groupId: string, topic: string, ends: Map<number, bigint>) {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const read: ReadMessage[] = [];
  const remaining = new Set(ends.keys());
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition);
        if (end === undefined) return;
        for (const message of batch.messages) {
          if (BigInt(message.offset) < end) read.push({ partition: batch.partition, message });
        }
        // The batch's last offset, not its last message: a control record at the end carries no message.
        if (BigInt(batch.lastOffset()) >= end - 1n && remaining.delete(batch.partition) && remaining.size === 0) {
          finish();
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return read.sort((a, b) => a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)));
}
