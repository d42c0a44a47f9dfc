import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicNames } from '@district-monitor/streams';
import { startBackend, TEST_ADMIN_PASSWORD, type RunningBackend } from './helpers/backend.js';
import { toMessages, validEvents } from './helpers/events.js';
import { createTopics, produce } from './helpers/kafka.js';
import { createDatabase, REPO_ROOT, requireEnv, uniqueName, waitFor } from './helpers/services.js';

const DISTRICT = 'TN-MDU';
const PUBLISHED = 600;

/** The board in Debian's Chromium, against the backend on the real Kafka broker and PostgreSQL. */
describe('live board in Chromium', () => {
  let backend: RunningBackend;
  let browser: Browser;
  let database: { url: string; drop(): Promise<void> };
  let topics: TopicNames;
  let env: Record<string, string>;

  const live = (page: Page) =>
    page.locator('[data-testid="connection-state"][data-state="live"]').waitFor({ timeout: 30_000 });
  const valueOf = async (page: Page, selector: string) =>
    Number(await page.locator(selector).getAttribute('data-value'));
  /** Logs in through the board's form, submitting with Enter as a keyboard user would. */
  const logIn = async (page: Page, password = TEST_ADMIN_PASSWORD) => {
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Password').press('Enter');
  };

  beforeAll(async () => {
    database = await createDatabase();
    const created = await createTopics();
    topics = created.topics;
    env = {
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: created.prefix,
      KAFKA_GROUP_ID: uniqueName('board-'),
      DATABASE_URL: database.url,
      SIMULATOR: 'off',
    };
    backend = await startBackend(env);
    browser = await chromium.launch({
      executablePath: requireEnv('CHROMIUM'),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser.close();
    await backend.stop('SIGTERM');
    await database.drop();
  });

  it('shows the counts change after events are published, and saves screenshots', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${backend.url}/`);
    // The board asks for a login first; a wrong password is refused with the reason.
    await logIn(page, 'not-the-password');
    expect(await page.getByRole('alert').textContent()).toBe('wrong username or password');
    await logIn(page);
    await live(page);
    const district = `[data-testid="district-count"][data-district="${DISTRICT}"]`;
    const before = await valueOf(page, district);
    const totalBefore = await valueOf(page, '[data-testid="total-stored"]');

    const events = validEvents(PUBLISHED, 505).map((event) => ({
      ...event,
      district: DISTRICT,
      unit: undefined,
    }));
    await produce(toMessages(events, topics));

    await waitFor(
      `${DISTRICT} to show ${before + PUBLISHED} on the board`,
      async () => ((await valueOf(page, district)) === before + PUBLISHED ? true : undefined),
      { timeoutMs: 30_000 },
    );
    expect(await valueOf(page, '[data-testid="total-stored"]')).toBe(totalBefore + PUBLISHED);

    mkdirSync(`${REPO_ROOT}artifacts`, { recursive: true });
    await page.screenshot({ path: `${REPO_ROOT}artifacts/board-1920x1080.png` });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.screenshot({ path: `${REPO_ROOT}artifacts/board-1366x768.png` });
    await page.close();
  });

  it('re-syncs from a snapshot after the backend restarts, without a page reload or a new login', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${backend.url}/`);
    await logIn(page);
    await live(page);
    const total = await valueOf(page, '[data-testid="total-stored"]');

    await backend.stop('SIGTERM');
    await waitFor('the board to show it lost the connection', async () =>
      (await page.getByTestId('connection-state').getAttribute('data-state')) !== 'live' ? true : undefined,
    );
    backend = await startBackend({ ...env, PORT: new URL(backend.url).port });
    await live(page);
    expect(await valueOf(page, '[data-testid="total-stored"]')).toBe(total);

    // Logging out closes the board and brings the form back.
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    await page.close();
  });
});
