export * from './health-report';
export * from './logging.module';
export * from './metrics';
export * from './ops-listener';
export * from './tracing';
