export * from './tracing';
export * from './tracing.module';
