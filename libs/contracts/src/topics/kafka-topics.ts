/**
 * Every Kafka topic the service owns. The version is part of the name: renaming a topic or making an
 * incompatible change to its message is a migration (new topic, dual-publish, drain the old one).
 */
export enum KafkaTopic {
  /** Delivery commands ("deliver event E, to webhook W or to all"), from the API, the retry scheduler and other services. Key: event id. */
  DeliveryCommands = 'webhooks.delivery-commands.v1',
  /** New events published by other services straight to Kafka. Key: event id or tenant id. */
  Events = 'webhooks.events.v1',
  /** One message per delivery attempt; persisted to MongoDB by the log writer. Key: event id. */
  DeliveryLogs = 'webhooks.delivery-logs.v1',
  /** Messages that failed validation or processing, with the reason and the original bytes. */
  DeadLetter = 'webhooks.dead-letter.v1',
}

export const ALL_TOPICS: readonly KafkaTopic[] = Object.values(KafkaTopic);

/** Consumer groups are part of the deployment contract too: changing one resets consumption. */
export enum ConsumerGroup {
  Dispatcher = 'webhook-dispatcher',
  EventIntake = 'webhook-event-intake',
  LogWriter = 'webhook-log-writer',
}

/** The topic each consumer group reads: what its consumer subscribes to and what its lag is measured on. */
export const TOPIC_OF_GROUP: Readonly<Record<ConsumerGroup, KafkaTopic>> = {
  [ConsumerGroup.Dispatcher]: KafkaTopic.DeliveryCommands,
  [ConsumerGroup.EventIntake]: KafkaTopic.Events,
  [ConsumerGroup.LogWriter]: KafkaTopic.DeliveryLogs,
};
