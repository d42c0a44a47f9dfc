import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRateTable, readRegion } from '@district-monitor/data/runtime';
import {
  CUBE_HOURS,
  HourClock,
  HourlyCube,
  computeDistrictFeatures,
  type DistrictFeatures,
} from '@district-monitor/models';
import { districtsOf, type MonitorEvent, type Region } from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { loadConfig } from '../config/app-config.js';
import type { Database } from '../database/database.js';
import { bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { PostgresDatabase } from '../database/postgres.repository.js';
import { AggregateRefresher } from '../features/aggregate-refresher.js';
import { FeatureRepository, type HourlyCountRow } from '../features/feature.repository.js';
import { FeatureService } from '../features/feature.service.js';
import { EventStoreRepository } from '../database/event-store.repository.js';
import { progress, withPostgresDatabase, type BenchEnv, type BenchRow } from './bench-kit.js';

const DAY_MS = 86_400_000;
/** Events of the batch applied at every repetition (fresh ids each time). */
const BATCH_EVENTS = 500;
/** History is stored through the store, in batches of this size. */
const LOAD_BATCH = 500;
const WARMUP = 3;
const REPS = 30;
const RECOUNT_REPS = 5;
/** The batch is reported a minute before the clock the section runs at; history ends before it. */
const BATCH_AGE_MS = 60_000;

/** The figures of one repetition, milliseconds. */
interface Rep {
  readonly update: number;
  readonly path: number;
}

/** One database with its stored history and the services that keep features over it. */
interface Subject {
  readonly label: string;
  /** How much history it holds: '1 day' or '1 year'. */
  readonly span: string;
  readonly db: Database;
  readonly store: EventStoreRepository;
  readonly features: FeatureService;
  readonly aggregates: AggregateRefresher;
  /** Events of the stored history. */
  readonly history: number;
  readonly reps: Rep[];
}

/**
 * The raw event rows of some districts, counted per local hour bucket over the cube's span: what a
 * feature computation without the cube has to read after every batch.
 */
const RECOUNT = `
  SELECT date_bin('1 hour', occurred_at, (SELECT hour_origin FROM time_buckets)) AS bucket,
         district, category, count(*)::int AS events, sum(killed)::int AS killed, sum(injured)::int AS injured
    FROM (SELECT occurred_at, district, category, 0 AS killed, 0 AS injured
            FROM incidents WHERE superseded_by IS NULL AND district = ANY($1) AND occurred_at >= $2
          UNION ALL
          SELECT occurred_at, district, category, killed, injured
            FROM accidents WHERE superseded_by IS NULL AND district = ANY($1) AND occurred_at >= $2) e
   GROUP BY 1, 2, 3`;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

/**
 * Stores `days` of simulated history ending at `end` (Tamil Nadu's real yearly rates, about 183,000
 * events a year) through the ingest path, in batches of {@link LOAD_BATCH}, then refreshes the aggregates.
 */
async function storeHistory(
  subject: Pick<Subject, 'label' | 'store' | 'aggregates'>,
  region: Region,
  ratesFile: string,
  days: number,
  end: number,
): Promise<number> {
  const rates = readRateTable(ratesFile, region);
  const simulator = createSimulator({ region, rates, multiplier: 1, seed: 41, source: 'history' });
  const start = end - days * DAY_MS;
  simulator.tick(start);
  const pending: MonitorEvent[] = [];
  let stored = 0;
  let reported = 0;
  const flush = async (events: readonly MonitorEvent[]) => {
    stored += (await subject.store.insert(events)).stored.length;
  };
  for (let day = 1; day <= days; day++) {
    pending.push(...simulator.tick(Math.min(end, start + day * DAY_MS)));
    while (pending.length >= LOAD_BATCH) await flush(pending.splice(0, LOAD_BATCH));
    if (stored - reported >= 20_000) {
      progress(`${subject.label}: ${stored.toLocaleString('en-US')} events stored (day ${day} of ${days})`);
      reported = stored;
    }
  }
  if (pending.length > 0) await flush(pending);
  const started = performance.now();
  await subject.aggregates.drain();
  const refresh = subject.aggregates.enabled
    ? `; aggregates refreshed in ${((performance.now() - started) / 1000).toFixed(1)} s`
    : '';
  progress(`${subject.label}: ${stored.toLocaleString('en-US')} events stored${refresh}`);
  return stored;
}

/** A copy of the batch under ids no earlier repetition used. */
function freshCopy(batch: readonly MonitorEvent[], rep: number): MonitorEvent[] {
  return batch.map((event) => ({ ...event, eventId: `${event.eventId}-rep${rep}` }));
}

/** One repetition of the batch path: store, feature update, refresh of the touched days. */
async function applyBatch(subject: Subject, events: readonly MonitorEvent[], now: number): Promise<Rep> {
  const started = performance.now();
  const { changes, stored } = await subject.store.insert(events);
  if (stored.length !== events.length) {
    throw new Error(`${subject.label}: stored ${stored.length} of ${events.length} fresh events`);
  }
  const updating = performance.now();
  subject.features.applyChanges(changes, now);
  const updated = performance.now();
  await subject.aggregates.drain();
  return { update: updated - updating, path: performance.now() - started };
}

/**
 * The features of `codes` computed from scratch: their raw rows recounted per hour over the cube's span
 * into fresh cubes, then `computeDistrictFeatures`. What the incremental cube spares each batch.
 */
async function recount(
  db: Database,
  region: Region,
  codes: readonly string[],
  now: number,
): Promise<DistrictFeatures[]> {
  const clock = new HourClock(region.timeZone);
  const districts = districtsOf(region);
  const populations = districts.map((unit) => unit.population);
  const regionPopulation = populations.every((p) => p !== undefined)
    ? populations.reduce((sum, p) => sum + p, 0)
    : null;
  // The same span the feature service keeps: two hours of headroom past the current hour.
  const endHour = clock.hourOf(now) + 2;
  const since = new Date(clock.startOf(endHour - CUBE_HOURS)).toISOString();
  const cubes = new Map(
    codes.map((code) => [code, new HourlyCube({ capacityHours: CUBE_HOURS, endHour })] as const),
  );
  const { rows } = await db.query<HourlyCountRow>(RECOUNT, [codes, since]);
  for (const row of rows) {
    cubes
      .get(row.district)
      ?.add(row.category, clock.hourOf(new Date(row.bucket).getTime()), row.events, row.killed, row.injured);
  }
  return codes.map((code) => {
    const unit = districts.find((district) => district.code === code);
    const counts = cubes.get(code);
    if (unit === undefined || counts === undefined)
      throw new Error(`${code} is not a district of the region`);
    return computeDistrictFeatures({ counts, clock, asOf: now, unit, regionPopulation });
  });
}

/** Milliseconds of each of `RECOUNT_REPS` recounts (the caller warmed the code and took the median). */
async function timeRecounts(
  db: Database,
  region: Region,
  codes: readonly string[],
  now: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let rep = 0; rep < RECOUNT_REPS; rep++) {
    const started = performance.now();
    await recount(db, region, codes, now);
    times.push(performance.now() - started);
  }
  return times;
}

/**
 * Measures one engine: `dbs` are two empty databases, given 1 day and 1 year of history; the same batch
 * is applied to both, alternately, `WARMUP + REPS` times.
 */
async function measureEngine(
  engine: string,
  dbs: readonly [Database, Database],
  region: Region,
  ratesFile: string,
): Promise<BenchRow[]> {
  const now = Date.now();
  const subjects: Subject[] = [];
  for (const [db, label, days] of [
    [dbs[0], '1 day', 1],
    [dbs[1], '1 year', 365],
  ] as const) {
    await migrate(db, bucketContext(region));
    const store = new EventStoreRepository(db);
    const aggregates = new AggregateRefresher(db, region);
    progress(`${engine}: storing ${label} of history`);
    const subject = { label: `${engine}, ${label}`, store, aggregates };
    const history = await storeHistory(subject, region, ratesFile, days, now - BATCH_AGE_MS - 1_000);
    const features = new FeatureService(region, new FeatureRepository(db));
    await features.load(now);
    subjects.push({ ...subject, span: label, db, features, history, reps: [] });
  }

  const batch = createSimulator({
    region,
    rates: readRateTable(ratesFile, region),
    seed: 97,
    source: 'batch',
  }).burst(BATCH_EVENTS, now - BATCH_AGE_MS);
  const touched = [...new Set(batch.map((event) => event.district))].sort();
  progress(`${engine}: applying the same ${BATCH_EVENTS}-event batch ${WARMUP} + ${REPS} times to each`);
  for (let rep = 0; rep < WARMUP + REPS; rep++) {
    const events = freshCopy(batch, rep);
    // Alternate which database goes first, so neither always runs on a warmer cache.
    const order = rep % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) {
      const result = await applyBatch(subject, events, now);
      if (rep >= WARMUP) subject.reps.push(result);
    }
  }

  const [day, year] = subjects;
  if (day === undefined || year === undefined) throw new Error('two databases expected');
  // The recount must agree with the cube, or the comparison would be between different answers.
  const recounted = await recount(year.db, region, touched, now);
  for (const features of recounted) {
    const kept = year.features.compute(features.district, now);
    if (JSON.stringify(kept) !== JSON.stringify(features)) {
      throw new Error(`${year.label}: the cube and the recount disagree on ${features.district}`);
    }
  }
  progress(`${engine}: recounting ${touched.length} touched districts from raw rows, ${RECOUNT_REPS} times`);
  const recountDay = median(await timeRecounts(day.db, region, touched, now));
  const recountYear = median(await timeRecounts(year.db, region, touched, now));

  const update = { day: median(day.reps.map((r) => r.update)), year: median(year.reps.map((r) => r.update)) };
  const whole = { day: median(day.reps.map((r) => r.path)), year: median(year.reps.map((r) => r.path)) };
  const row = (of: string, label: string, value: number, baseline: number, goal: string | null = null) =>
    ({ section: of, path: label, value, unit: 'ms', vsBaseline: value / baseline, goal }) satisfies BenchRow;
  const what = `${BATCH_EVENTS} events, ${touched.length} districts recomputed`;
  const history = (subject: Subject) =>
    `${subject.span} of history (${subject.history.toLocaleString('en-US')} events)`;
  const section = engine.startsWith('PGlite') ? 'features' : `features ${engine}`;
  const pathSection = `${section} batch path`;
  // On TimescaleDB the aggregates are refreshed after commit; on PostgreSQL the insert keeps the counts.
  const wholePath = day.aggregates.enabled
    ? 'insert + applyChanges + aggregate refresh of the touched days'
    : 'insert with its counts table upkeep + applyChanges';
  return [
    row(
      section,
      `${engine}: feature update per batch (applyChanges, ${what}), ${history(day)} (baseline)`,
      update.day,
      update.day,
    ),
    row(section, `  same batch, ${history(year)}`, update.year, update.day, '<= 1.2 of baseline'),
    row(
      section,
      `  instead: recount the touched districts from raw rows + compute, ${history(day)}`,
      recountDay,
      update.day,
    ),
    row(section, `  instead: recount from raw rows + compute, ${history(year)}`, recountYear, update.day),
    row(
      pathSection,
      `${engine}: whole batch path (${wholePath}), ${history(day)} (baseline)`,
      whole.day,
      whole.day,
    ),
    row(pathSection, `  same batch, ${history(year)}`, whole.year, whole.day),
  ];
}

/**
 * Features section: the feature update per batch (and the whole batch path around it) with 1 day and
 * with 1 year of stored history, the same batch for both, beside a from-scratch recount of the districts
 * it touched. The update reads only the in-memory cubes, so history length should not matter.
 */
export async function featuresSection(env: BenchEnv): Promise<BenchRow[]> {
  const config = loadConfig({});
  const region = await readRegion(config.regionFile);
  const ratesFile = config.simulator.ratesFile;
  const rows: BenchRow[] = [];

  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'bench-features-')));
  const pglite: Database[] = [];
  try {
    for (const dir of dirs) pglite.push(await PgliteDatabase.open(dir));
    const [day, year] = pglite;
    if (day === undefined || year === undefined) throw new Error('two PGlite databases expected');
    rows.push(...(await measureEngine('PGlite + TimescaleDB', [day, year], region, ratesFile)));
  } finally {
    for (const db of pglite) await db.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  await withPostgresDatabase(env.adminUrl, (dayUrl) =>
    withPostgresDatabase(env.adminUrl, async (yearUrl) => {
      const day = await PostgresDatabase.open(dayUrl);
      const year = await PostgresDatabase.open(yearUrl);
      try {
        rows.push(...(await measureEngine('PostgreSQL 15', [day, year], region, ratesFile)));
      } finally {
        await day.close();
        await year.close();
      }
    }),
  );
  return rows;
}
