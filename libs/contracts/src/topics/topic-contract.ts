import { KafkaTopic } from './kafka-topics';
import { ParseResult } from '../validation/parse-message';

/**
 * Everything both ends of a topic agree on: its name, the version of its messages, how a message is
 * keyed, and how its bytes are checked. Producers validate with `parse` too (see KafkaProducer.publish),
 * so a message that would be dead-lettered on the way in is refused on the way out instead.
 */
export interface TopicContract<T> {
  readonly topic: KafkaTopic;
  /** The message schema's version, also carried in every value's `version` field. */
  readonly version: number;
  /** The message key: what decides the partition, hence the order messages are read in. */
  keyOf(value: T): string;
  /** Raw bytes to a validated value, or the reason they are not one. Never throws. */
  parse(raw: Buffer | null): ParseResult<T>;
  serialize(value: T): string;
}

/** A contract whose wire form is the value as JSON. */
export function jsonTopicContract<T>(
  definition: Pick<TopicContract<T>, 'topic' | 'version' | 'keyOf' | 'parse'>,
): TopicContract<T> {
  return { ...definition, serialize: (value) => JSON.stringify(value) };
}
