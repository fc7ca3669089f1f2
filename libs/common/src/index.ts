export * from './coalescing-queue';
export * from './graceful-exit';
export * from './sleep';
export * from './start-failure';
export * from './until-available';
export * from './with-timeout';
