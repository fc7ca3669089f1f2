export * from './coalescing-queue';
export * from './graceful-exit';
export * from './until-available';
export * from './with-timeout';
