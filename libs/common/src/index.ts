export * from './coalescing-queue';
export * from './graceful-exit';
