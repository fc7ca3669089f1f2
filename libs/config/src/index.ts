export * from './app-config';
export * from './config.module';
export * from './environment';
export * from './kafka-security';
export * from './trust-proxy';
export * from './kafka-topic-settings';
