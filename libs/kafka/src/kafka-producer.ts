import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { CompressionTypes, IHeaders, Message, Producer } from 'kafkajs';
import { performance } from 'node:perf_hooks';
import { CoalescingQueue } from '@app/common';
import { KafkaTopic, TopicContract } from '@app/contracts';
import { isTracingEnabled } from '@app/observability';
import { produceFailed, produceSucceeded } from './kafka-producer-metrics';
import { sendInSpan } from './message-tracing';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

/**
 * Most key and value bytes in one produce request. Each partition's record batch in a request must stay
 * under the broker's message.max.bytes (1 MiB by default): one batch over it is refused, and the
 * idempotent producer then fails every later send of that batch.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

export interface OutgoingMessage {
  topic: KafkaTopic;
  key: string;
  /** Serialised once by the caller (JSON text), sent as is. */
  value: string | Buffer;
  headers?: IHeaders;
}

export interface PublishOptions<T> {
  /** Headers of the value at `index` (e.g. its trace context). */
  headersOf?(index: number): IHeaders | undefined;
  /** Skips an invalid value instead of refusing the call: for batches where one bad value must not hold the rest. */
  onRefused?(value: T, reason: string): void;
}

/**
 * The one way the apps write to Kafka. `send` resolves only when every in-sync replica has the message
 * (idempotent producer, acks=all). Messages that arrive while a request is on the wire are coalesced
 * into the next request, which is what linger.ms does in the Java client: an idempotent kafkajs producer
 * allows one request in flight, so sending one request per message would cap throughput at one
 * round-trip per message.
 *
 * A send that failed retires the producer: the next request goes through a new one (see sendRequest).
 */
@Injectable()
export class KafkaProducer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaProducer.name);
  private producer!: Producer;
  /** Set by a failed send: the producer's sequence numbers may be behind the broker's, so it must not send again. */
  private retired = false;
  private readonly outgoing = new CoalescingQueue<OutgoingMessage>(Number.MAX_SAFE_INTEGER, (batch) =>
    this.sendBatch(batch),
  );

  constructor(@Inject(KAFKA_CLIENT) private readonly client: ClientKafka) {}

  async onModuleInit(): Promise<void> {
    this.producer = await this.client.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }

  /**
   * Publishes values to the contract's topic, keyed and serialised by the contract. Each value is checked
   * against the contract first, in its serialised form, so nothing a consumer would dead-letter is sent:
   * one invalid value refuses the whole call (InvalidOutgoingMessageError) and sends none of them, unless
   * `onRefused` is given, which is told of each invalid value while the others are sent.
   */
  async publish<T>(contract: TopicContract<T>, values: T[], options: PublishOptions<T> = {}): Promise<void> {
    const messages: OutgoingMessage[] = [];
    values.forEach((value, index) => {
      const serialized = contract.serialize(value);
      const parsed = contract.parse(Buffer.from(serialized));
      if (!parsed.ok) {
        if (!options.onRefused) throw new InvalidOutgoingMessageError(contract.topic, parsed.reason);
        options.onRefused(value, parsed.reason);
        return;
      }
      const headers = options.headersOf?.(index);
      messages.push({
        topic: contract.topic,
        key: contract.keyOf(value),
        value: serialized,
        ...(headers ? { headers } : {}),
      });
    });
    await this.sendAll(messages);
  }

  /** Sends bytes as they are, unchecked: for replaying original messages (dead letters); publish otherwise. */
  send(message: OutgoingMessage): Promise<void> {
    // Traced: in a producer span whose trace context goes into the message's headers.
    if (isTracingEnabled()) return sendInSpan(message, (traced) => this.outgoing.push(traced));
    return this.outgoing.push(message);
  }

  async sendAll(messages: OutgoingMessage[]): Promise<void> {
    await Promise.all(messages.map((message) => this.send(message)));
  }

  private async sendBatch(batch: OutgoingMessage[]): Promise<void> {
    for (const request of splitBySize(batch, MAX_REQUEST_BYTES)) await this.sendRequest(request);
  }

  private async sendRequest(batch: OutgoingMessage[]): Promise<void> {
    if (this.retired) await this.replaceProducer();
    const started = performance.now();
    try {
      await this.producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: groupByTopic(batch),
      });
      produceSucceeded.observe((performance.now() - started) / 1000);
    } catch (error) {
      produceFailed.observe((performance.now() - started) / 1000);
      // When a produce request fails, kafkajs takes back the sequence numbers it gave the request's record
      // batches, yet the broker may have written them (a broker stopping, or a connection dropped, after
      // the append but before the answer). The next request to such a partition would carry the same
      // sequence numbers: with as many records, the broker takes it for a retry of the written batch and
      // acknowledges it with that batch's offset without writing it (an acknowledged message lost); with
      // another count it refuses it as out of order. A new producer has a new producer id, so it cannot.
      this.retired = true;
      this.logger.warn(`Kafka send of ${batch.length} message(s) failed: ${(error as Error).message}`);
      throw error;
    }
  }

  /** A new kafkajs producer (new producer id, sequences from 0); if Kafka is still away, this send fails too. */
  private async replaceProducer(): Promise<void> {
    const previous = this.producer;
    await this.client.close().catch((error: Error) => {
      this.logger.warn(`Closing the retired Kafka producer failed: ${error.message}`);
    });
    const producer = await this.client.connect();
    if (producer === previous) throw new Error('The retired Kafka producer could not be replaced');
    this.producer = producer;
    this.retired = false;
    this.logger.log('Replaced the Kafka producer after a failed send');
  }
}

/** A value that breaks its topic's contract, refused before it reaches Kafka. */
export class InvalidOutgoingMessageError extends Error {
  constructor(topic: KafkaTopic, reason: string) {
    super(`Refused to publish to ${topic}: ${reason}`);
    this.name = 'InvalidOutgoingMessageError';
  }
}

/** Consecutive runs of messages of at most `maxBytes` each (a larger message goes alone). */
export function splitBySize(messages: OutgoingMessage[], maxBytes: number): OutgoingMessage[][] {
  const requests: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
    if (current.length > 0 && bytes + size > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

function groupByTopic(messages: OutgoingMessage[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, key, value, headers } of messages) {
    const list = byTopic.get(topic) ?? [];
    list.push({ key, value, headers });
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
}
