import { Locator } from 'playwright-core';
import { sleep } from '../../support/wait-for';

/**
 * Retries a jest assertion until it passes or `timeoutMs` runs out, then throws its last failure
 * (playwright-core has no web-first assertions of its own; those live in @playwright/test).
 */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(150);
    }
  }
}

export const expectText = (locator: Locator, text: string | RegExp, timeoutMs?: number) =>
  eventually(async () => {
    const shown = (await locator.allInnerTexts()).join('\n');
    if (typeof text === 'string') expect(shown).toContain(text);
    else expect(shown).toMatch(text);
  }, timeoutMs);

export const expectCount = (locator: Locator, count: number, timeoutMs?: number) =>
  eventually(async () => expect(await locator.count()).toBe(count), timeoutMs);

export const expectVisible = (locator: Locator, timeoutMs = 10_000) =>
  locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
