import { deadLetterIdOf, DeadLetterV1 } from '../messages/dead-letter.v1';
import { DeliveryCommandV1 } from '../messages/delivery-command.v1';
import { DeliveryLogV1 } from '../messages/delivery-log.v1';
import { EventPublishedV1 } from '../messages/event-published.v1';
import { parseDeadLetter } from '../validation/parse-dead-letter';
import { parseDeliveryLog } from '../validation/parse-delivery-log';
import { parseMessage } from '../validation/parse-message';
import { KafkaTopic } from './kafka-topics';
import { jsonTopicContract, TopicContract } from './topic-contract';

/** Keyed by event: all commands for one event land on one partition, in order. */
export const DeliveryCommandsContract: TopicContract<DeliveryCommandV1> = jsonTopicContract({
  topic: KafkaTopic.DeliveryCommands,
  version: 1,
  keyOf: (command) => command.eventId,
  parse: (raw) => parseMessage(DeliveryCommandV1, raw),
});

/** Keyed by event id when the publisher chose one, else by tenant. */
export const EventsContract: TopicContract<EventPublishedV1> = jsonTopicContract({
  topic: KafkaTopic.Events,
  version: 1,
  keyOf: (event) => event.eventId ?? event.tenantId,
  parse: (raw) => parseMessage(EventPublishedV1, raw),
});

/** Keyed by event: one log writer at a time rolls up an event's status from all of its deliveries. */
export const DeliveryLogsContract: TopicContract<DeliveryLogV1> = jsonTopicContract({
  topic: KafkaTopic.DeliveryLogs,
  version: 1,
  keyOf: (log) => log.eventId,
  parse: parseDeliveryLog,
});

/** Keyed by the dead letter's id, `<source topic>:<partition>:<offset>`. */
export const DeadLetterContract: TopicContract<DeadLetterV1> = jsonTopicContract<DeadLetterV1>({
  topic: KafkaTopic.DeadLetter,
  version: 1,
  keyOf: deadLetterIdOf,
  parse: parseDeadLetter,
});
