import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertWithHistory, BatchSummary, Silence, TopicNames } from '@district-monitor/streams';
import { apiJson, disableAllRules } from './helpers/api.js';
import { startBackend, TEST_ADMIN_PASSWORD, type RunningBackend } from './helpers/backend.js';
import { toMessages, validEvents } from './helpers/events.js';
import { createTopics, kafka, produce } from './helpers/kafka.js';
import { createDatabase, REPO_ROOT, requireEnv, uniqueName, waitFor } from './helpers/services.js';
import { connectBoard } from './helpers/socket.js';
import { waitInPage } from './helpers/page.js';

const SURGED = 'TN-MDU';
/** The first test's 600 events go to another district, so the surged one starts at its usual risk and alone fires. */
const COUNTED = 'TN-CBE';
const PUBLISHED = 600;
const OPERATOR = { username: 'desk-operator', password: 'desk-operator-password' };
const VIEWER = { username: 'wall-viewer', password: 'wall-viewer-password' };
const ARTIFACTS = `${REPO_ROOT}artifacts/board`;

/**
 * Records in the page when each alert first shows in the state view's live alert panel, when each
 * district first turns high risk on the map and when each black spot (by its position) is first drawn
 * (`window.__seen`, epoch ms on this machine's clock, which the backend shares).
 */
const RECORD_APPEARANCES = `
  window.__seen = {};
  const record = () => {
    const now = Date.now();
    for (const el of document.querySelectorAll('[data-testid="ticker-alert"]')) {
      const key = 'alert:' + el.getAttribute('data-alert-id');
      if (!(key in window.__seen)) window.__seen[key] = now;
    }
    for (const el of document.querySelectorAll('[data-testid="map-district"][data-risk="high"]')) {
      const key = 'high:' + el.getAttribute('data-district');
      if (!(key in window.__seen)) window.__seen[key] = now;
    }
    for (const el of document.querySelectorAll('[data-testid="black-spot"]')) {
      const key = 'spot:' + el.getAttribute('data-lat') + ',' + el.getAttribute('data-lon');
      if (!(key in window.__seen)) window.__seen[key] = now;
    }
  };
  new MutationObserver(record).observe(document, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-risk', 'data-alert-id', 'data-lat', 'data-lon'],
  });
`;

/**
 * The board in Debian's Chromium, against the backend on the real Kafka broker and PostgreSQL, with
 * the simulator publishing Tamil Nadu events to Kafka and the map drawn from ../shared/data/geo.
 */
describe('live board in Chromium', () => {
  let backend: RunningBackend;
  let browser: Browser;
  let database: { url: string; drop(): Promise<void> };
  let topics: TopicNames;
  let env: Record<string, string>;
  let adminToken: string;
  let surgeAlert: Alert | undefined;

  const live = (page: Page) =>
    page.locator('[data-testid="connection-state"][data-state="live"]').waitFor({ timeout: 30_000 });
  const valueOf = async (page: Page, selector: string) =>
    Number(await page.locator(selector).first().getAttribute('data-value'));
  /** Logs in through the board's form, submitting with Enter as a keyboard user would. */
  const logIn = async (page: Page, username = 'admin', password = TEST_ADMIN_PASSWORD) => {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Password').press('Enter');
  };
  const openBoard = async (
    context: BrowserContext | Browser,
    user?: { username: string; password: string },
    viewport = { width: 1920, height: 1080 },
  ) => {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    await page.goto(`${backend.url}/`);
    await logIn(page, user?.username, user?.password);
    await live(page);
    return page;
  };
  const api = <T>(path: string, init: { method?: string; body?: unknown } = {}, token = adminToken) =>
    apiJson<T>(backend.url, token, path, init);
  const shoot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png` });
  /** A logged-in state view that records when alerts, high districts and black spots first show, its map drawn. */
  const openRecordingBoard = async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript({ content: RECORD_APPEARANCES });
    await page.goto(`${backend.url}/`);
    await logIn(page);
    await live(page);
    await page.locator('[data-testid="district-map"][data-ready="true"]').waitFor();
    return page;
  };
  /** A high-severity rule that fires at once, stays firing for 10 minutes and escalates to the station. */
  const postHighRule = (id: string, name: string, rule: { condition: unknown; districts?: string[] }) =>
    api('/api/rules', {
      method: 'POST',
      body: {
        id,
        name,
        severity: 'high',
        ...rule,
        forSeconds: 0,
        keepFiringForSeconds: 600,
        escalation: [{ name: 'station', afterSeconds: 0 }],
      },
    });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    database = await createDatabase();
    const created = await createTopics();
    topics = created.topics;
    env = {
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: created.prefix,
      KAFKA_GROUP_ID: uniqueName('board-'),
      DATABASE_URL: database.url,
      SIMULATOR: 'on',
      SIMULATOR_RATE: '10',
      REGION_GEOJSON: '../shared/data/geo/tamilnadu_district.json',
      ALERT_EVALUATION_SECONDS: '1',
      ALERT_GROUP_WAIT_SECONDS: '0',
      // Pushes every 10 ms rather than 200 ms, so the heap test gets its 10,000 updates in a minute or two.
      LIVE_PUSH_MS: '10',
    };
    backend = await startBackend(env);
    adminToken = await backend.login();
    for (const user of [
      { ...OPERATOR, role: 'operator' },
      { ...VIEWER, role: 'viewer' },
    ]) {
      await api('/api/users', { method: 'POST', body: user });
    }
    await disableAllRules(backend.url, adminToken);
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

  it('asks for a login, then draws the state view and counts published events', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${backend.url}/`);
    await page.getByTestId('login-form').waitFor();
    await shoot(page, 'login-1920x1080');
    // A wrong password is refused with the reason.
    await logIn(page, 'admin', 'not-the-password');
    expect(await page.getByRole('alert').textContent()).toBe('wrong username or password');
    await logIn(page);
    await live(page);
    await page.locator('[data-testid="district-map"][data-ready="true"]').waitFor();
    // The surveyed polygons of ../shared/data/geo, one shape per registry district (38; 6 of them carved out since 2011).
    expect(await page.getByTestId('map-district').count()).toBe(38);
    expect(await page.getByTestId('district-row').count()).toBe(38);

    const district = `[data-testid="district-count"][data-district="${COUNTED}"]`;
    const before = await valueOf(page, district);
    // Reported 5 minutes ago: out of the 2-minute window of the next test's rule, which counts by report time.
    const earlier = (at: string) => new Date(Date.parse(at) - 5 * 60_000).toISOString();
    const events = validEvents(PUBLISHED, 505).map((event) => ({
      ...event,
      district: COUNTED,
      unit: undefined,
      occurredAt: event.occurredAt === undefined ? undefined : earlier(event.occurredAt),
      reportedAt: earlier(event.reportedAt),
    }));
    await produce(toMessages(events, topics));
    // The simulator publishes too, so at least ours arrive.
    await waitFor(
      `${COUNTED} to show ${before + PUBLISHED} or more on the board`,
      async () => ((await valueOf(page, district)) >= before + PUBLISHED ? true : undefined),
      { timeoutMs: 30_000 },
    );
    // The last full minute: the backend may have started within the current one.
    await waitFor(
      'events in the last full minute',
      async () => ((await valueOf(page, '[data-testid="events-per-minute"]')) > 0 ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    expect(await page.getByTestId('feed-lag').getAttribute('data-value')).toMatch(/^\d+$/);
    await shoot(page, 'state-1920x1080');
    await page.setViewportSize({ width: 1366, height: 768 });
    // Nothing wider than the laptop screen: no horizontal scrolling, even before the chart redraws.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1366);
    // ApexCharts redraws at the new width after its debounce: the screenshot waits for it.
    await waitInPage(
      page,
      'the charts redrawn within their panels',
      `[...document.querySelectorAll('.apexcharts-canvas')].every(
         (chart) => chart.getBoundingClientRect().right <= chart.closest('.panel').getBoundingClientRect().right)`,
      { timeoutMs: 5_000 },
    );
    await shoot(page, 'state-1366x768');
    await page.close();
  });

  it('turns a surging district high risk on the map and shows its alert within 2 s of being scored', async () => {
    // The busiest district's rate over half a minute sets a threshold no district reaches without the surge.
    const probe = await connectBoard(backend.url, adminToken);
    const perDistrict = new Map<string, number>();
    probe.socket.on('ingest:batch', (summary: BatchSummary) => {
      for (const [code, n] of Object.entries(summary.byDistrict))
        perDistrict.set(code, (perDistrict.get(code) ?? 0) + n);
    });
    const started = Date.now();
    // About 30 s of the simulator's 10 events/s: enough for a rate, counted rather than slept.
    await waitFor(
      '300 simulated events',
      () => ([...perDistrict.values()].reduce((sum, n) => sum + n, 0) >= 300 ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    probe.close();
    const busiestPerMinute = (Math.max(1, ...perDistrict.values()) * 60_000) / (Date.now() - started);
    const threshold = Math.max(40, Math.ceil(busiestPerMinute * 2 * 5));
    await postHighRule('board-surge', 'Board test: incidents in 2 minutes', {
      condition: { kind: 'category', windowMinutes: 2, threshold, clear: Math.floor(threshold / 2) },
    });

    const page = await openRecordingBoard();
    // A fresh page starts from the snapshot: the last 24 h include the first test's events.
    expect(
      await valueOf(page, `[data-testid="district-count"][data-district="${COUNTED}"]`),
    ).toBeGreaterThanOrEqual(PUBLISHED);
    const mapped = page.locator(`[data-testid="map-district"][data-district="${SURGED}"]`);
    expect(await mapped.getAttribute('data-risk')).not.toBe('high');

    await api('/api/simulator/surges', {
      method: 'POST',
      body: { district: SURGED, factor: 40, minutes: 10 },
    });
    surgeAlert = await waitFor(
      `a firing alert for ${SURGED}`,
      async () => {
        const { alerts } = await api<{ alerts: AlertWithHistory[] }>(
          `/api/alerts?state=firing&district=${SURGED}`,
        );
        return alerts.find((alert) => alert.labels.rule === 'board-surge');
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const firedAt = Date.parse(surgeAlert.firedAt ?? '');
    await page
      .locator(`[data-testid="ticker-alert"][data-alert-id="${surgeAlert.id}"]`)
      .waitFor({ timeout: 10_000 });
    await page.locator(`[data-testid="map-district"][data-district="${SURGED}"][data-risk="high"]`).waitFor();
    const seen = await page.evaluate<Record<string, number>>('window.__seen');
    const alertShown = seen[`alert:${surgeAlert.id}`] ?? Number.NaN;
    const turnedHigh = seen[`high:${SURGED}`] ?? Number.NaN;
    console.log(
      `board: alert ${surgeAlert.id} fired at ${surgeAlert.firedAt}; shown after ${alertShown - firedAt} ms, ` +
        `${SURGED} high on the map after ${turnedHigh - firedAt} ms (threshold ${threshold} in 2 min)`,
    );
    expect(alertShown - firedAt).toBeLessThanOrEqual(2_000);
    expect(turnedHigh - firedAt).toBeLessThanOrEqual(2_000);
    // Only the surging district fired.
    const { alerts: firing } = await api<{ alerts: Alert[] }>('/api/alerts?state=firing,pending');
    expect(
      firing.filter((alert) => alert.labels.rule === 'board-surge').map((a) => a.labels.district),
    ).toEqual([SURGED]);
    await shoot(page, 'state-surge-1920x1080');
    await page.close();
  });

  it('lets an operator acknowledge on the alert desk; a second browser sees it; a viewer cannot', async () => {
    if (surgeAlert === undefined) throw new Error('the surge alert of the previous test did not fire');
    const alert = surgeAlert;
    const operatorContext = await browser.newContext();
    const watcherContext = await browser.newContext();
    const viewerContext = await browser.newContext();
    const operator = await openBoard(operatorContext, OPERATOR);
    const watcher = await openBoard(watcherContext);
    const viewer = await openBoard(viewerContext, VIEWER, { width: 1366, height: 768 });
    for (const page of [operator, watcher, viewer]) {
      await page.getByRole('link', { name: 'Alerts' }).click();
      await page.getByTestId('alert-desk').waitFor();
    }
    const item = (page: Page) => page.locator(`[data-testid="alert"][data-alert-id="${alert.id}"]`);
    await item(watcher).waitFor();
    expect(await item(watcher).getAttribute('data-state')).toBe('firing');
    await shoot(operator, 'alerts-1920x1080');

    // A viewer sees the alert but no action on it.
    await item(viewer).waitFor();
    expect(await item(viewer).getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await shoot(viewer, 'alerts-viewer-1366x768');

    await item(operator).getByRole('button', { name: 'Acknowledge' }).click();
    const dialog = operator.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('patrol sent to the market');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await waitFor(
      'the second browser to show the alert acknowledged',
      async () => ((await item(watcher).getAttribute('data-state')) === 'acknowledged' ? true : undefined),
      { timeoutMs: 10_000 },
    );
    const stored = await api<AlertWithHistory>(`/api/alerts/${alert.id}`);
    expect(stored.state).toBe('acknowledged');
    expect(stored.acknowledgedBy).toBe(OPERATOR.username);

    // The audit trail on the board says who acknowledged and why.
    await item(watcher).getByRole('button', { name: 'History' }).click();
    const history = item(watcher).getByTestId('alert-history');
    await history.getByText('patrol sent to the market').waitFor();
    expect(await history.textContent()).toContain(OPERATOR.username);
    await shoot(watcher, 'alerts-acknowledged-1920x1080');

    // The operator silences the rule in the district for an hour: the desk lists the silence in force;
    // "End now" asks once more, then ends it, and the server records who ended it.
    await item(operator).getByRole('button', { name: 'Silence' }).click();
    const silenceDialog = operator.getByRole('dialog');
    await silenceDialog.getByLabel('Reason').fill('market festival, crowds expected');
    await silenceDialog.getByLabel('For').selectOption({ label: '1 h' });
    await silenceDialog.getByRole('button', { name: 'Confirm' }).click();
    const listed = operator.getByTestId('silence');
    await listed.waitFor({ timeout: 5_000 });
    expect(await listed.textContent()).toContain('district is Madurai, rule is board-surge');
    const silenceId = await listed.getAttribute('data-silence-id');
    const { silences: inForce } = await api<{ silences: Silence[] }>('/api/silences?active=true');
    expect(inForce.map((silence) => [silence.id, silence.createdBy, silence.reason])).toEqual([
      [silenceId, OPERATOR.username, 'market festival, crowds expected'],
    ]);
    await shoot(operator, 'alerts-silence-1920x1080');
    await listed.getByRole('button', { name: 'End now' }).click();
    await listed.getByRole('button', { name: 'Confirm end' }).click();
    await listed.waitFor({ state: 'detached', timeout: 5_000 });
    const { silences: afterwards } = await api<{ silences: Silence[] }>('/api/silences');
    expect(afterwards.find((silence) => silence.id === silenceId)?.expiredBy).toBe(OPERATOR.username);
    await Promise.all([operatorContext.close(), watcherContext.close(), viewerContext.close()]);
  });

  it('draws the district, analysis and time-travel views', async () => {
    const page = await openBoard(browser);
    await page.locator(`[data-testid="map-district"][data-district="${SURGED}"]`).press('Enter');
    const district = page.locator(`[data-testid="district-view"][data-district="${SURGED}"]`);
    await district.waitFor();
    for (const section of [
      'category-counts',
      'forecast-chart',
      'compstat-table',
      'factors',
      'cluster-peers',
      'recent-events',
      'accident-severity',
    ]) {
      await district.getByTestId(section).waitFor();
    }
    await district.getByTestId('recent-events').locator('tbody tr').first().waitFor();
    // The severity split counts Madurai's road accidents of 28 days in the database (some of the 505 above).
    const split = district.getByTestId('accident-severity-split');
    await split.waitFor();
    const rows = await Promise.all(
      (await split.locator('tbody tr').all()).map(async (row) =>
        Number(await row.getAttribute('data-value')),
      ),
    );
    expect(Number(await split.getAttribute('data-total'))).toBe(rows.reduce((sum, n) => sum + n, 0));
    expect(rows.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
    await shoot(page, 'district-1920x1080');

    await page.getByRole('link', { name: 'Analysis' }).click();
    const analysis = page.getByTestId('analysis-view');
    for (const section of ['correlation-heatmap', 'cluster-profiles', 'model-panel']) {
      await analysis.getByTestId(section).waitFor();
    }
    await shoot(page, 'analysis-1920x1080');

    await page.getByRole('link', { name: 'Time travel' }).click();
    await page.locator('[data-testid="history-view"][data-ready="true"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('map-district').count()).toBe(38);
    // A keyboard user picks a district in the table; the map marks the same one.
    const first = page.getByTestId('history-row').first();
    const picked = await first.getAttribute('data-district');
    await first.getByRole('button').press('Enter');
    await first.locator('button[aria-pressed="true"]').waitFor({ timeout: 2_000 });
    await page
      .locator(`[data-testid="map-district"][data-district="${picked}"][aria-pressed="true"]`)
      .waitFor({ timeout: 2_000 });
    await shoot(page, 'history-1920x1080');
    await page.close();
  });

  it('re-syncs from a snapshot after the backend restarts, without a page reload or a new login', async () => {
    const page = await openBoard(browser, undefined, { width: 1366, height: 768 });
    await page.evaluate('window.__sameDocument = true');
    await waitFor('the open alert in the live panel', async () =>
      (await page.getByTestId('ticker-alert').count()) > 0 ? true : undefined,
    );

    await backend.stop('SIGTERM');
    await waitFor('the board to show it lost the connection', async () =>
      (await page.getByTestId('connection-state').getAttribute('data-state')) !== 'live' ? true : undefined,
    );
    backend = await startBackend({ ...env, PORT: new URL(backend.url).port });
    adminToken = await backend.login();
    await live(page);
    const total = await waitFor('the re-synced total', async () => {
      const shown = await valueOf(page, '[data-testid="total-stored"]');
      return shown > 0 ? shown : undefined;
    });
    expect(total).toBeGreaterThan(PUBLISHED);
    await page.getByTestId('ticker-alert').first().waitFor();
    expect(await page.evaluate('window.__sameDocument')).toBe(true);

    // Logging out closes the board and brings the form back.
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    await page.close();
  });

  it('draws a new black spot on the map as soon as its alert fires, not at the next minute', async () => {
    // Ten accidents within 30 m near Ariyalur's headquarters, and a rule only they can fire. The simulator
    // puts 40% of a district's accidents within ~150 m of one of its hot points, so it can fire a looser rule
    // (3 within 1 km) by itself, and that alert would be taken for ours: the likeliest reason one slow run
    // drew our spot at the next minute's read, 58 s after "its" alert.
    const district = 'TN-ARI';
    const centre = { lat: 11.1381, lon: 79.0739 };
    const count = 10;
    await postHighRule('board-spot', 'Board test: black spot', {
      districts: [district],
      condition: { kind: 'black_spot', minAccidents: count, radiusKm: 0.05, hours: 24 },
    });
    const page = await openRecordingBoard();
    // The page has read the black spots once (its note says how many) before the accidents come.
    await page.getByText(/^Black spots: /).waitFor();
    const now = Date.now();
    const accidents = Array.from({ length: count }, (_, i) => ({
      eventId: `board-spot-${now}-${i}`,
      schemaVersion: 1,
      kind: 'accident',
      district,
      category: 'road_accident',
      severity: 'high',
      occurredAt: new Date(now - (i + 1) * 60_000).toISOString(),
      reportedAt: new Date(now).toISOString(),
      location: { lat: centre.lat + i * 0.00002, lon: centre.lon + i * 0.00002 },
      killed: 0,
      injured: 1,
      vehicles: 2,
      source: 'board-spot',
    }));
    await produce(
      accidents.map((event) => ({ topic: topics.accident, key: district, value: JSON.stringify(event) })),
    );
    const near = (lat: number, lon: number) =>
      Math.abs(lat - centre.lat) < 0.01 && Math.abs(lon - centre.lon) < 0.01;
    // The alert names its spot ("10 road accidents within 0.05 km of 11.1382, 79.0740 ..."): ours.
    const alert = await waitFor(
      `a firing black-spot alert for ${district} naming a spot near ${centre.lat}, ${centre.lon}`,
      async () => {
        const { alerts } = await api<{ alerts: Alert[] }>(`/api/alerts?state=firing&district=${district}`);
        const fired = alerts.find((candidate) => candidate.labels.rule === 'board-spot');
        const named = / of (-?[\d.]+), (-?[\d.]+) /.exec(fired?.summary ?? '');
        return named !== null && near(Number(named[1]), Number(named[2])) ? fired : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await page
      .locator(`[data-testid="ticker-alert"][data-alert-id="${alert.id}"]`)
      .waitFor({ timeout: 10_000 });
    // Our spot: one drawn within 0.01° (about 1 km) of the accidents' centre.
    const ours = (seen: Record<string, number>) =>
      Object.entries(seen).find(([key]) => {
        if (!key.startsWith('spot:')) return false;
        const [lat = NaN, lon = NaN] = key.slice(5).split(',').map(Number);
        return near(lat, lon);
      })?.[1];
    const drawnAt = await waitFor(
      `the black spot near ${centre.lat}, ${centre.lon} on the map`,
      async () => ours(await page.evaluate<Record<string, number>>('window.__seen')),
      { timeoutMs: 70_000, intervalMs: 250 },
    );
    const seen = await page.evaluate<Record<string, number>>('window.__seen');
    const shownAt = seen[`alert:${alert.id}`] ?? Number.NaN;
    console.log(`board: black-spot alert shown; its spot drawn ${drawnAt - shownAt} ms later`);
    // The map reads the spots when the alert arrives; before, it waited for its next minute.
    expect(drawnAt - shownAt).toBeLessThanOrEqual(5_000);
    await shoot(page, 'state-black-spot-1920x1080');
    await page.close();
  });

  it('keeps the JS heap after 10,000 pushed updates within 1.5x of its level after the first 1,000', async () => {
    // The rules of the tests before fire on the stream below and fill the alert panel: the heap would grow
    // with the open alerts, not with the updates (a whole-file run read 1.44x with them; this test alone 1.05x).
    await disableAllRules(backend.url, adminToken);
    const page = await openBoard(browser);
    const cdp: CDPSession = await page.context().newCDPSession(page);
    let frames = 0;
    cdp.on('Network.webSocketFrameReceived', ({ response }) => {
      // Socket.IO event packets ("42[...]"); pings and acks are not updates.
      if (response.payloadData.startsWith('42')) frames++;
    });
    await cdp.send('Network.enable');
    await cdp.send('HeapProfiler.enable');
    const heapAfterGc = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };

    // Small batches in a steady stream: each one is pushed as a batch summary and a features update.
    const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    let seed = 10_000;
    const stream = () => {
      const control = { streaming: true };
      const done = (async () => {
        while (control.streaming) {
          await produce(toMessages(validEvents(5, seed++), topics), producer);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      return async () => {
        control.streaming = false;
        await done;
      };
    };
    // Measured with the stream stopped and drained (the page receives no more than the simulator's
    // background, under 20 updates in 2 s): during the stream, updates in flight are live objects too. On a
    // busy machine one run read 1.23x mid-stream and 1.05x once drained; a full suite read 1.66x mid-stream.
    const heapWhenDrained = async (what: string) => {
      let seen = -Infinity;
      await waitFor(
        `the updates in flight ${what} to drain`,
        () => {
          const quiet = frames - seen < 20;
          seen = frames;
          return quiet ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 2_000 },
      );
      return heapAfterGc();
    };
    let stop = stream();
    try {
      await waitFor('1,000 pushed updates', () => (frames >= 1_000 ? true : undefined), {
        timeoutMs: 600_000,
        intervalMs: 500,
      });
      await stop();
      const first = await heapWhenDrained('after the first 1,000');
      const startedAt = Date.now();
      stop = stream();
      await waitFor('10,000 pushed updates', () => (frames >= 10_000 ? true : undefined), {
        timeoutMs: 1_800_000,
        intervalMs: 1_000,
      });
      await stop();
      const last = await heapWhenDrained('after 10,000');
      console.log(
        `board heap: ${(first / 1e6).toFixed(1)} MB after 1,000 updates, ${(last / 1e6).toFixed(1)} MB after ` +
          `${frames} (${(last / first).toFixed(2)}x; ${Math.round((Date.now() - startedAt) / 1000)} s)`,
      );
      expect(last / first).toBeLessThanOrEqual(1.5);
      // Still live and drawing after the stream.
      expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('live');
    } finally {
      await stop();
      await producer.disconnect();
    }
    await page.close();
  }, 2_400_000);
});
