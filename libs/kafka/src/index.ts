export * from './kafka-options';
export * from './kafka-producer';
export * from './topic-provisioner';
export * from './kafka-health.indicator';
export * from './dead-letter.publisher';
export * from './kafka.module';
export * from './managed-consumer';
export * from './with-heartbeats';
