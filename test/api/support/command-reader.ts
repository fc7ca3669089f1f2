import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { DeliveryCommandV1, KafkaTopic } from '@app/contracts';
import { testKafkaBrokers } from '../../support/infra';
import { sleep, waitFor } from '../../support/wait-for';

export interface ReadCommand {
  key: string | null;
  command: DeliveryCommandV1;
}

/**
 * Reads the delivery-commands topic like another consumer would: a fresh group from the beginning, so
 * nothing published before the group joined is missed. Tests filter what they see by event id.
 */
export class CommandReader {
  private readonly consumer: Consumer;
  private readonly seen: ReadCommand[] = [];

  constructor() {
    const kafka = new Kafka({
      clientId: `api-e2e-${process.pid}`,
      brokers: [testKafkaBrokers()],
      logLevel: logLevel.NOTHING,
    });
    this.consumer = kafka.consumer({ groupId: `api-e2e-${randomUUID()}` });
  }

  async start(): Promise<this> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: KafkaTopic.DeliveryCommands, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        // Other suites put poison messages on this topic on purpose; a reader must step over them.
        let command: unknown;
        try {
          command = JSON.parse(message.value.toString());
        } catch {
          return;
        }
        // Valid JSON is not a command yet: the fuzz suite also publishes null, numbers and arrays.
        if (typeof command !== 'object' || command === null || Array.isArray(command)) return;
        this.seen.push({ key: message.key?.toString() ?? null, command: command as DeliveryCommandV1 });
      },
    });
    return this;
  }

  /** Every command for the event, once at least `count` arrived (and a short settle for extras). */
  async forEvent(eventId: string, count: number): Promise<ReadCommand[]> {
    await waitFor(`${count} command(s) for event ${eventId}`, () => this.matching(eventId).length >= count, 30_000);
    await sleep(300);
    return this.matching(eventId);
  }

  forJob(jobId: string): ReadCommand[] {
    return this.seen.filter((read) => read.command.retryJobId === jobId);
  }

  matching(eventId: string): ReadCommand[] {
    return this.seen.filter((read) => read.command.eventId === eventId);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
