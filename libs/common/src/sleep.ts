/**
 * Resolves after `ms`. Built on the global setTimeout, which jest's fake timers replace and
 * node:timers/promises does not, so specs can step through waits.
 */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
