export * from './topics/kafka-topics';
export * from './messages/delivery-trigger';
export * from './messages/delivery-command.v1';
export * from './messages/event-published.v1';
export * from './messages/delivery-log.v1';
export * from './messages/dead-letter.v1';
export * from './validation/parse-message';
export * from './validation/json-depth';
