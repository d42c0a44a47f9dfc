import { readFileSync } from 'node:fs';
import { HourClock, hourOriginIso } from '@district-monitor/models';
import { parseRegion, type Category, type MonitorEvent } from '@district-monitor/streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRecord } from '../alerts/engine/record.js';
import { AnalysisRepository } from '../analysis/analysis.repository.js';
import type { Database } from '../database/database.js';
import { bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { EventStoreRepository } from '../database/event-store.repository.js';
import { BoardHistoryRepository } from './board-history.repository.js';
import { ScoreHistoryRepository } from './score-history.repository.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const ORIGIN = hourOriginIso(new HourClock(region.timeZone));
const FROM = new Date('2025-06-01T00:00:00Z');
const TO = new Date('2025-06-01T03:00:00Z');
const BOTH = ['TN-CHN', 'TN-MDU'];

function event(
  eventId: string,
  district: string,
  category: Category,
  occurredAt: string,
  extra: Partial<MonitorEvent> = {},
): MonitorEvent {
  const common = {
    eventId,
    schemaVersion: 1,
    district,
    severity: 'medium',
    occurredAt,
    reportedAt: occurredAt,
  } as const;
  return (
    category === 'road_accident'
      ? { ...common, kind: 'accident', category, killed: 0, injured: 1, vehicles: 1, ...extra }
      : { ...common, kind: 'incident', category, ...extra }
  ) as MonitorEvent;
}

function alert(id: string, district: string, startedAt: string, resolvedAt: string | null): AlertRecord {
  const started = Date.parse(startedAt);
  const resolved = resolvedAt === null ? null : Date.parse(resolvedAt);
  return {
    id,
    fingerprint: `risk/${district}/*/${id}`,
    labels: { rule: 'risk', kind: 'risk', district, category: '*', severity: 'high' },
    state: resolved === null ? 'firing' : 'resolved',
    value: 0.9,
    summary: `alert ${id}`,
    startedAt: started,
    firedAt: started,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: resolved,
    clearSince: null,
    escalationLevel: 0,
    flapping: false,
    silencedBy: [],
    inhibitedBy: null,
    notified: { firing: true, resolved: resolved !== null, level: 0 },
    dueSince: null,
    updatedAt: resolved ?? started,
    version: 1,
  };
}

describe('time travel reads on PGlite with TimescaleDB', () => {
  let db: PgliteDatabase;
  let repository: BoardHistoryRepository;
  /** The same database seen as plain PostgreSQL: the repository takes the date_bin twin. */
  let plain: BoardHistoryRepository;

  beforeAll(async () => {
    db = await PgliteDatabase.open('memory://');
    await migrate(db, bucketContext(region));
    repository = new BoardHistoryRepository(db);
    const asPlain: Database = {
      info: { kind: 'pglite', timescaledb: null },
      query: (sql, params) => db.query(sql, params),
      transaction: (work) => db.transaction(work),
      close: () => Promise.resolve(),
    };
    plain = new BoardHistoryRepository(asPlain);

    await new EventStoreRepository(db).insert([
      event('i1', 'TN-CHN', 'crime_body', '2025-06-01T00:05:00Z'),
      event('i2', 'TN-CHN', 'crime_body', '2025-06-01T00:20:00Z'),
      event('i3', 'TN-CHN', 'crime_women', '2025-06-01T02:59:00Z'),
      event('a1', 'TN-MDU', 'road_accident', '2025-06-01T01:10:00Z', { killed: 2 }),
      // At `to`: outside the window (it is half-open); before `from`: outside too.
      event('i4', 'TN-MDU', 'suicide', '2025-06-01T03:00:00Z'),
      event('i5', 'TN-CHN', 'other', '2025-05-31T23:59:00Z'),
      // i6 reclassified by i7: only i7 counts.
      event('i6', 'TN-CHN', 'crime_property', '2025-06-01T01:40:00Z'),
      event('i7', 'TN-CHN', 'harassment', '2025-06-01T01:40:00Z', { amends: 'i6' }),
      // Another district, outside every scope asked below.
      event('i8', 'TN-SLM', 'crime_body', '2025-06-01T01:00:00Z'),
    ]);

    await new ScoreHistoryRepository(db).insert([
      {
        district: 'TN-CHN',
        asOf: '2025-06-01T02:00:00.000Z',
        modelVersion: 'v1',
        elevated: 0.3,
        expectedCount: 11,
      },
      {
        district: 'TN-CHN',
        asOf: '2025-06-01T03:00:00.000Z',
        modelVersion: 'v1',
        elevated: 0.6,
        expectedCount: 12,
      },
      {
        district: 'TN-CHN',
        asOf: '2025-06-01T03:05:00.000Z',
        modelVersion: 'v2',
        elevated: 0.9,
        expectedCount: 13,
      },
      // More than 30 days before the window's end: not looked for.
      {
        district: 'TN-MDU',
        asOf: '2025-04-01T00:00:00.000Z',
        modelVersion: 'v1',
        elevated: 0.5,
        expectedCount: 7,
      },
    ]);

    const alerts = [
      alert('al1', 'TN-CHN', '2025-05-31T20:00:00Z', '2025-05-31T23:00:00Z'),
      alert('al2', 'TN-CHN', '2025-05-31T22:00:00Z', '2025-06-01T00:30:00Z'),
      alert('al3', 'TN-CHN', '2025-06-01T02:00:00Z', null),
      alert('al4', 'TN-MDU', '2025-06-01T04:00:00Z', '2025-06-01T05:00:00Z'),
      alert('al5', 'TN-MDU', '2025-05-30T00:00:00Z', '2025-06-01T00:00:00Z'),
    ];
    for (const a of alerts) {
      await db.query(
        `INSERT INTO alerts (id, fingerprint, rule_id, district, state, record, version, started_at, updated_at, resolved_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)`,
        [
          a.id,
          a.fingerprint,
          a.labels.rule,
          a.labels.district,
          a.state,
          JSON.stringify(a),
          a.version,
          new Date(a.startedAt),
          new Date(a.updatedAt),
          a.resolvedAt === null ? null : new Date(a.resolvedAt),
        ],
      );
    }
  });
  afterAll(() => db.close());

  it('creates score_history as a hypertable on as_of', async () => {
    const { rows } = await db.query<{ column_name: string }>(
      `SELECT column_name FROM timescaledb_information.dimensions WHERE hypertable_name = 'score_history'`,
    );
    expect(rows).toEqual([{ column_name: 'as_of' }]);
  });

  it('counts the events per bucket on the local hours, time_bucket and date_bin alike', async () => {
    const expected = [
      { start: Date.parse('2025-06-01T00:00:00Z'), count: 1 },
      { start: Date.parse('2025-06-01T00:15:00Z'), count: 1 },
      { start: Date.parse('2025-06-01T01:00:00Z'), count: 1 },
      { start: Date.parse('2025-06-01T01:30:00Z'), count: 1 },
      { start: Date.parse('2025-06-01T02:45:00Z'), count: 1 },
    ];
    expect(await repository.series(BOTH, FROM, TO, 15, ORIGIN)).toEqual(expected);
    expect(await plain.series(BOTH, FROM, TO, 15, ORIGIN)).toEqual(expected);

    // Six-hour buckets start at local midnight and 06:00 (18:30 and 00:30 UTC).
    const wide = [
      { start: Date.parse('2025-05-31T18:30:00Z'), count: 3 },
      { start: Date.parse('2025-06-01T00:30:00Z'), count: 4 },
    ];
    const dayFrom = new Date('2025-05-31T00:00:00Z');
    const dayTo = new Date('2025-06-02T00:00:00Z');
    expect(await repository.series(BOTH, dayFrom, dayTo, 360, ORIGIN)).toEqual(wide);
    expect(await plain.series(BOTH, dayFrom, dayTo, 360, ORIGIN)).toEqual(wide);
  });

  it('counts the events of the asked districts per category, amendments applied', async () => {
    const rows = await repository.categoryCounts(BOTH, FROM, TO);
    expect(
      rows.sort((a, b) => `${a.district}${a.category}`.localeCompare(`${b.district}${b.category}`)),
    ).toEqual([
      { district: 'TN-CHN', category: 'crime_body', count: 2 },
      { district: 'TN-CHN', category: 'crime_women', count: 1 },
      { district: 'TN-CHN', category: 'harassment', count: 1 },
      { district: 'TN-MDU', category: 'road_accident', count: 1 },
    ]);
    expect(await repository.categoryCounts(['TN-MDU'], FROM, TO)).toEqual([
      { district: 'TN-MDU', category: 'road_accident', count: 1 },
    ]);
  });

  it("reads each district's last score at or before the window's end, within 30 days", async () => {
    expect(await repository.scoresAt(BOTH, TO)).toEqual([
      { district: 'TN-CHN', elevated: 0.6, expectedCount: 12 },
    ]);
    expect(await repository.scoresAt(BOTH, new Date('2025-06-01T02:59:59Z'))).toEqual([
      { district: 'TN-CHN', elevated: 0.3, expectedCount: 11 },
    ]);
  });

  it('finds the alerts open at some time in the window, newest first, in the scope', async () => {
    expect(await repository.openAlertCounts(null, FROM, TO)).toEqual(
      new Map([
        ['TN-CHN', 2],
        ['TN-MDU', 1],
      ]),
    );
    expect(await repository.openAlertCounts(['TN-MDU'], FROM, TO)).toEqual(new Map([['TN-MDU', 1]]));
    const open = await repository.openAlerts(null, FROM, TO, 500);
    expect(open.map((a) => a.id)).toEqual(['al3', 'al2', 'al5']);
    expect(open[0]).toEqual(alert('al3', 'TN-CHN', '2025-06-01T02:00:00Z', null));
    expect((await repository.openAlerts(null, FROM, TO, 2)).map((a) => a.id)).toEqual(['al3', 'al2']);
    expect((await repository.openAlerts(['TN-MDU'], FROM, TO, 500)).map((a) => a.id)).toEqual(['al5']);
  });

  it('totals a period per district and category from the hourly counts (the correlations read)', async () => {
    const rows = await new AnalysisRepository(db).totals(
      new Date('2025-05-31T00:00:00Z'),
      new Date('2025-06-02T00:00:00Z'),
    );
    expect(
      rows
        .filter((row) => BOTH.includes(row.district))
        .sort((a, b) => `${a.district}${a.category}`.localeCompare(`${b.district}${b.category}`)),
    ).toEqual([
      { district: 'TN-CHN', category: 'crime_body', events: 2, killed: 0 },
      { district: 'TN-CHN', category: 'crime_women', events: 1, killed: 0 },
      { district: 'TN-CHN', category: 'harassment', events: 1, killed: 0 },
      { district: 'TN-CHN', category: 'other', events: 1, killed: 0 },
      { district: 'TN-MDU', category: 'road_accident', events: 1, killed: 2 },
      { district: 'TN-MDU', category: 'suicide', events: 1, killed: 0 },
    ]);
  });
});
