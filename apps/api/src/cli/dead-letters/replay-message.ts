import {
  DeadLetterV1,
  deadLetterIdOf,
  DeliveryCommandV1,
  EventPublishedV1,
  KafkaTopic,
  kafkaSourceIdOf,
  parseMessage,
} from '@app/contracts';
import { OutgoingMessage } from '@app/kafka';
import { originalBytes } from './dead-letter-format';

export type ReplayMessage = { ok: true; message: OutgoingMessage } | { ok: false; reason: string };

/**
 * The id field a message may leave out, which its consumer then takes from the message's coordinates. A
 * replay gets a new offset, so it is given the id of its original coordinates instead: replaying the same
 * letter twice is then one command or one event, as reading the original twice would have been.
 */
const DEFAULTED_ID: Partial<Record<KafkaTopic, { field: string; unlessPresent: string[] }>> = {
  [KafkaTopic.DeliveryCommands]: { field: 'commandId', unlessPresent: ['commandId'] },
  [KafkaTopic.Events]: { field: 'idempotencyKey', unlessPresent: ['idempotencyKey', 'eventId'] },
};

/** Checked before sending, so that a letter whose bytes are still broken is not dead-lettered again. */
const CONTRACTS: Partial<Record<KafkaTopic, new () => object>> = {
  [KafkaTopic.DeliveryCommands]: DeliveryCommandV1,
  [KafkaTopic.Events]: EventPublishedV1,
};

/** Delivery logs are replayed as they are: the log writer stores each attempt once, by its attemptId. */
const REPLAYABLE: readonly string[] = [KafkaTopic.DeliveryCommands, KafkaTopic.Events, KafkaTopic.DeliveryLogs];

/** The message a letter stands for, ready to go back to its source topic, or why it cannot. */
export function replayMessageOf(letter: DeadLetterV1): ReplayMessage {
  if (!REPLAYABLE.includes(letter.sourceTopic)) {
    return { ok: false, reason: `${letter.sourceTopic} is not a topic the service consumes` };
  }
  const topic = letter.sourceTopic as KafkaTopic;
  const value = originalBytes(letter.valueBase64);
  if (letter.valueTruncated) {
    return {
      ok: false,
      reason:
        `the letter keeps only the first ${value?.length} of ${letter.valueBytes} bytes; the whole message is ` +
        `at ${topic} partition ${letter.partition} offset ${letter.offset} until retention removes it`,
    };
  }
  if (value === null) return { ok: false, reason: 'the original message had no value' };
  const contract = CONTRACTS[topic];
  const parsed = contract ? parseMessage(contract, value) : undefined;
  if (parsed && !parsed.ok) return { ok: false, reason: `still invalid: ${parsed.reason}` };
  const defaulted = DEFAULTED_ID[topic];
  const withId =
    defaulted && parsed?.ok && defaulted.unlessPresent.every((field) => isAbsent(parsed.value, field))
      ? withLeadingField(value, defaulted.field, kafkaSourceIdOf(topic, letter.partition, letter.offset))
      : value;
  // A message without a key is keyed by the letter's id, which keeps replays of it on one partition.
  const key = originalBytes(letter.keyBase64)?.toString('utf8') ?? deadLetterIdOf(letter);
  return { ok: true, message: { topic, key, value: withId } };
}

function isAbsent(value: object, field: string): boolean {
  return (value as Record<string, unknown>)[field] === undefined;
}

/** Adds a field as text, so the rest of the original bytes (a payload's big numbers, say) stay exactly as they were. */
function withLeadingField(json: Buffer, field: string, fieldValue: string): Buffer {
  const text = json.toString('utf8').trimStart();
  const rest = text.slice(1); // past the object's opening brace (the contract check made sure it is one)
  const separator = rest.trimStart().startsWith('}') ? '' : ',';
  return Buffer.from(`{${JSON.stringify(field)}:${JSON.stringify(fieldValue)}${separator}${rest}`, 'utf8');
}
