import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryYearAnswer } from '@district-monitor/streams';
import { parseCsv } from '../frontend/src/lib/csv.js';
import { apiJson } from './helpers/api.js';
import { startBackend, TEST_ADMIN_PASSWORD, type RunningBackend } from './helpers/backend.js';
import { REPO_ROOT, requireEnv, waitFor } from './helpers/services.js';

const ARTIFACTS = `${REPO_ROOT}artifacts/board`;
const DISTRICT = 'TN-CBE';

/**
 * The board's history views on the embedded default (PGlite with TimescaleDB, the committed NCRB
 * history loaded at start, its analysis trained in the worker): the yearly choropleth for 2001 and
 * 2022, a district's 22-year chart with its forecast band, a CSV downloaded from the ranked table
 * against the API's figures, the date presets of time travel and the district page printed as a
 * one-page PDF brief.
 */
describe('history views in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'history-board-'));
  let backend: RunningBackend;
  let browser: Browser;
  let token: string;

  /** One attribute of every element a locator matches, in page order. */
  const attributes = async (locator: Locator, name: string) =>
    Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
  const fillsOf = async (page: Page): Promise<Record<string, string | null>> => {
    const districts = await attributes(page.getByTestId('map-district'), 'data-district');
    const fills = await attributes(page.getByTestId('map-district'), 'data-fill');
    return Object.fromEntries(districts.map((code, i) => [code ?? '', fills[i] ?? null]));
  };
  const ready = (page: Page, year: number) =>
    page
      .locator(`[data-testid="yearly-view"][data-ready="true"][data-year="${year}"]`)
      .waitFor({ timeout: 60_000 });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The embedded default but for the data folder; no backfill of simulated events (not what is tested here).
    backend = await startBackend({ DATA_DIR: dataDir, BACKFILL_DAYS: '0', HISTORY_ANALYSIS: 'on' });
    token = await backend.login();
    browser = await chromium.launch({
      executablePath: requireEnv('CHROMIUM'),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser.close();
    await backend.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function openBoard(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, acceptDownloads: true });
    await page.goto(`${backend.url}/`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor({ timeout: 30_000 });
    await page.goto(`${backend.url}/#${hash}`);
    return page;
  }

  it('shows the structural tier, labelled as such, in the state view while no live model exists', async () => {
    const page = await openBoard('/');
    // No backfill here, so no live model: the analysis of the history gives every district a tier.
    // Every district without a live risk (no score, no open alert) shows its tier instead of "Unknown".
    await waitFor(
      'structural tiers in the risk column',
      async () => {
        const unknown = await page.locator('[data-testid="district-row"][data-risk="unknown"]').count();
        const shown = await page.getByTestId('structural-tier').count();
        return shown > 30 && shown === unknown ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    const tiers = await attributes(page.getByTestId('structural-tier'), 'data-tier');
    expect(new Set(tiers).size).toBeGreaterThan(1);
    expect(await page.getByTestId('structural-tier').first().textContent()).toContain('structural');
    await page.screenshot({ path: `${ARTIFACTS}/state-structural-tiers-1920x1080.png` });
    await page.close();
  });

  it('draws the choropleth of a head for 2001 and 2022 and exports the ranked table as shown', async () => {
    const page = await openBoard('/yearly?head=ipc_total&year=2001&map=rate');
    await ready(page, 2001);
    expect(await page.getByTestId('map-district').count()).toBe(38);
    const in2001 = await fillsOf(page);
    // 2001: every district on the map has a colour, its own figure or the one of the district it was carved from.
    expect(Object.values(in2001).filter((fill) => fill === '#3a4761')).toEqual([]);
    expect(await page.getByTestId('year-row').count()).toBeGreaterThanOrEqual(30);
    await page.screenshot({ path: `${ARTIFACTS}/history-ipc-2001-1920x1080.png` });

    // The slider, as a keyboard user moves it: End is the latest year.
    await page.getByTestId('yearly-slider').focus();
    await page.keyboard.press('End');
    await ready(page, 2022);
    const in2022 = await fillsOf(page);
    expect(Object.keys(in2022)).toHaveLength(38);
    // The colour scale is fixed over the years: 22 years later, some districts are in another class.
    expect(Object.keys(in2022).filter((code) => in2022[code] !== in2001[code]).length).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/history-ipc-2022-1920x1080.png` });

    // The CSV of the ranked table: the rows as shown, in their order, with the API's figures.
    const shownOrder = await attributes(page.getByTestId('year-row'), 'data-district');
    const shownNames = await page.locator('[data-testid="year-row"] th').allTextContents();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('year-table-panel').getByTestId('export-csv').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^ipc-crimes-total-2022-\d{4}-\d{2}-\d{2}t\d{2}-\d{2}\.csv$/,
    );
    const text = readFileSync(await download.path(), 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(['#', 'District', 'Cases', 'Rate', 'vs 2021', 'vs 5-yr mean', 'Note']);
    expect(rows).toHaveLength(shownOrder.length);
    const answer = await apiJson<HistoryYearAnswer>(
      backend.url,
      token,
      '/api/history?head=ipc_total&year=2022',
    );
    const byUnit = new Map(answer.cells.map((cell) => [cell.unit, cell]));
    rows.forEach((row, i) => {
      const cell = byUnit.get(shownOrder[i] ?? '');
      if (cell === undefined) throw new Error(`row ${i + 1} of the CSV is no unit of the API's answer`);
      expect(row[0]).toBe(String(i + 1));
      expect(row[1]).toBe(shownNames[i]?.trim());
      expect(row[2]).toBe(cell.value === null ? '' : String(cell.value));
      expect(row[3]).toBe(cell.ratePer100k === null ? '' : cell.ratePer100k.toFixed(1));
    });
    writeCopy('history-ipc-2022.csv', text);

    // Play runs through the years and stops at the last.
    await page.getByTestId('yearly-slider').press('ArrowLeft');
    await ready(page, 2021);
    await page.getByTestId('yearly-play').click();
    await ready(page, 2022);
    await page.locator('[data-testid="yearly-play"][aria-pressed="false"]').waitFor({ timeout: 10_000 });

    // The analysis' maps: next year's structural tier of every district, and the profiles.
    await page.getByTestId('history-factors').locator('tbody tr').first().waitFor({ timeout: 120_000 });
    await page.getByRole('radio', { name: "Next year's tier" }).check();
    await waitFor('the tier map', async () => {
      const fills = await fillsOf(page);
      return Object.values(fills).every((fill) => fill !== null && fill !== '#3a4761') ? true : undefined;
    });
    await page.screenshot({ path: `${ARTIFACTS}/history-tiers-1920x1080.png` });
    await page.getByRole('radio', { name: 'Profiles' }).check();
    expect(await page.getByTestId('history-profile').count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: `${ARTIFACTS}/history-profiles-1920x1080.png` });
    await page.close();
  });

  it("shows a district's 22-year series with its forecast band and prints the page as a one-page brief", async () => {
    const page = await openBoard(`/district/${DISTRICT}`);
    const section = page.locator('[data-testid="district-history"][data-ready="true"]');
    await section.waitFor({ timeout: 120_000 });
    const chart = section.getByTestId('history-chart');
    await chart.waitFor();
    expect(await chart.getAttribute('data-forecast-years')).toBe('3');
    // The band is drawn: ApexCharts' range area series has a filled path.
    await chart.locator('.apexcharts-rangeArea-series path').first().waitFor({ timeout: 30_000 });
    await section.scrollIntoViewIfNeeded();
    await section.screenshot({ path: `${ARTIFACTS}/district-history-${DISTRICT}.png` });
    const tier = await section.getByTestId('district-structural-tier').getAttribute('data-tier');
    expect(['low', 'middle', 'high']).toContain(tier);

    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeCopy(`district-brief-${DISTRICT}.pdf`, pdf);
    // One page object in the PDF: the brief fits on one A4 sheet.
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g)).toHaveLength(1);
    await page.close();
  });

  it("offers date presets in time travel, read on the region's wall clock", async () => {
    const page = await openBoard('/history');
    await page.locator('[data-testid="history-view"][data-ready="true"]').waitFor({ timeout: 30_000 });
    // The default window (last 24 h) is one of the buttons, shown pressed.
    await page.locator('[data-preset="h24"][aria-pressed="true"]').waitFor();
    const before = Date.now();
    await page.locator('[data-preset="yesterday"]').click();
    await page.locator('[data-preset="yesterday"][aria-pressed="true"]').waitFor();
    const url = new URL(page.url().replace('/#/', '/'));
    // IST is UTC + 5:30 all year: yesterday runs from 18:30 UTC two days before to 18:30 UTC the day before.
    const IST = 5.5 * 3_600_000;
    const DAY = 86_400_000;
    const todayStart = Math.floor((before + IST) / DAY) * DAY - IST;
    const expected = {
      from: new Date(todayStart - DAY).toISOString(),
      to: new Date(todayStart).toISOString(),
    };
    expect({ from: url.searchParams.get('from'), to: url.searchParams.get('to') }).toEqual(expected);
    await page
      .locator(`[data-testid="history-view"][data-ready="true"][data-from="${expected.from}"]`)
      .waitFor();
    // A custom window that ends before it starts is refused with the reason.
    await page.locator('[data-preset="custom"]').click();
    const custom = page.getByTestId('date-custom');
    await custom.getByLabel('From', { exact: true }).fill('2024-05-02T10:00');
    await custom.getByLabel('To', { exact: true }).fill('2024-05-01T10:00');
    await custom.getByRole('button', { name: 'Show' }).click();
    expect(await custom.getByRole('alert').textContent()).toBe('From must be before To.');
    await page.screenshot({ path: `${ARTIFACTS}/time-travel-presets-1920x1080.png` });
    await page.close();
  });
});

/** The artefacts folder keeps what the test saw next to the screenshots (the CSV, the PDF). */
function writeCopy(name: string, content: string | Buffer): void {
  writeFileSync(`${ARTIFACTS}/${name}`, content);
}
