import type { Page } from 'playwright-core';
import { waitFor } from './services.js';

/**
 * Polls `expression` in the page until it is truthy. The board's Content-Security-Policy has no
 * 'unsafe-eval', which Playwright's `waitForFunction` needs for its in-page polling; `page.evaluate`
 * goes through the DevTools protocol and is not refused, so the polling happens from here instead.
 */
export async function waitInPage(
  page: Page,
  what: string,
  expression: string,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<void> {
  await waitFor(what, async () => ((await page.evaluate<unknown>(expression)) ? true : undefined), {
    timeoutMs,
    intervalMs,
  });
}
