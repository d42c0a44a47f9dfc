import { CATEGORIES, type Category, type RegionUnit } from '@district-monitor/streams';
import { mulberry32 } from '@district-monitor/streams/simulator';
import { describe, expect, it } from 'vitest';
import { CRIME_FEATURE_NAMES } from './catalog.js';
import { HourlyCube, type HourlyCounts, type Measure } from './counts.js';
import { computeDistrictFeatures, type DistrictFeatures } from './district-features.js';
import { FeatureInputError } from './errors.js';
import { HourClock } from './hour-clock.js';

interface Row {
  readonly hour: number;
  readonly category: Category;
  readonly events: number;
  readonly killed?: number;
  readonly injured?: number;
}

/** The brute-force reference: sums a list of rows on every call. */
class ListCounts implements HourlyCounts {
  constructor(private readonly rows: readonly Row[]) {}

  sum(category: Category, measure: Measure, fromHour: number, toHour: number): number {
    let total = 0;
    for (const row of this.rows) {
      if (row.category !== category || row.hour < fromHour || row.hour >= toHour) continue;
      total +=
        measure === 'events' ? row.events : measure === 'killed' ? (row.killed ?? 0) : (row.injured ?? 0);
    }
    return total;
  }

  lastEventHour(atOrBefore: number, notBefore: number): number | null {
    let last: number | null = null;
    for (const row of this.rows) {
      if (
        row.events > 0 &&
        row.hour <= atOrBefore &&
        row.hour >= notBefore &&
        (last === null || row.hour > last)
      ) {
        last = row.hour;
      }
    }
    return last;
  }
}

const ist = new HourClock('Asia/Kolkata');
const chicago = new HourClock('America/Chicago');
/** 16:15 IST on Saturday 15 March 2025: a quarter of the current hour has elapsed. */
const AS_OF = Date.parse('2025-03-15T10:45:00Z');
const H = ist.hourOf(AS_OF);

const DISTRICT: RegionUnit = {
  code: 'TN-TST',
  name: 'Test district',
  kind: 'district',
  lat: 11,
  lon: 79,
  population: 200_000,
  areaKm2: 50,
  literacyRate: 0.8,
  sexRatio: 950,
  urbanShare: 0.4,
};

interface Options {
  readonly asOf?: number;
  readonly clock?: HourClock;
  readonly unit?: RegionUnit;
  readonly regionPopulation?: number | null;
}

/** Features from the reference list and from a cube holding the same rows; the two must agree exactly. */
function features(rows: readonly Row[], options: Options = {}): DistrictFeatures {
  const clock = options.clock ?? ist;
  const asOf = options.asOf ?? AS_OF;
  const common = {
    clock,
    asOf,
    unit: options.unit ?? DISTRICT,
    regionPopulation: options.regionPopulation === undefined ? 1_000_000 : options.regionPopulation,
  };
  // Rows after the current hour go into the cube too: features must not read them.
  const endHour = Math.max(clock.hourOf(asOf), ...rows.map((row) => row.hour)) + 1;
  const cube = new HourlyCube({ endHour });
  for (const row of rows) {
    expect(cube.add(row.category, row.hour, row.events, row.killed ?? 0, row.injured ?? 0)).toBe(true);
  }
  const reference = computeDistrictFeatures({ ...common, counts: new ListCounts(rows) });
  expect(computeDistrictFeatures({ ...common, counts: cube })).toEqual(reference);
  return reference;
}

function feature(result: DistrictFeatures, name: string): number {
  const index = CRIME_FEATURE_NAMES.indexOf(name);
  expect(index, name).toBeGreaterThanOrEqual(0);
  return result.vector[index] ?? Number.NaN;
}

function at(iso: string, clock = ist): number {
  return clock.hourOf(Date.parse(iso));
}

describe('computeDistrictFeatures', () => {
  it('names the district, the instant and the current hour bucket', () => {
    const result = features([]);
    expect(result.district).toBe('TN-TST');
    expect(result.asOf).toBe('2025-03-15T10:45:00.000Z');
    expect(result.hour).toEqual({
      index: H,
      start: '2025-03-15T10:30:00.000Z',
      end: '2025-03-15T11:30:00.000Z',
    });
    expect(result.population).toBe(200_000);
  });

  it('counts each window back from the current hour, first bucket in and the one before out', () => {
    // Powers of two, so every sum names the buckets it took.
    const offsets = [0, 23, 24, 167, 168, 671, 672, 8759, 8760];
    const rows = offsets.map((offset, i): Row => ({
      hour: H - offset,
      category: 'crime_body',
      events: 2 ** i,
    }));
    const body = features(rows).categories.crime_body;
    expect(body.counts).toEqual({ '1h': 1, '24h': 1 + 2, '7d': 1 + 2 + 4 + 8, '28d': 63, '365d': 255 });
    // Previous 7 days [h-335, h-167) hold h-168; previous 28 days [h-1343, h-671) hold h-672.
    expect(body.compstat.weekOverWeek).toEqual({ current: 15, previous: 16, changePct: -6.25 });
    expect(body.compstat.days28).toEqual({ current: 63, previous: 64, changePct: -1.5625 });
    const result = features(rows);
    expect(feature(result, 'crime_body.count_1h')).toBe(1);
    expect(feature(result, 'crime_body.count_24h')).toBe(3);
    expect(feature(result, 'crime_body.count_7d')).toBe(15);
    expect(feature(result, 'crime_body.count_28d')).toBe(63);
    expect(feature(result, 'crime_body.count_365d')).toBe(255);
    expect(feature(result, 'crime_body.change_wow')).toBeCloseTo(Math.log(16 / 17), 14);
    expect(feature(result, 'crime_body.change_28d')).toBeCloseTo(Math.log(64 / 65), 14);
    expect(feature(result, 'incidents.count_24h')).toBe(3);
    expect(feature(result, 'incidents.change_28d')).toBeCloseTo(Math.log(64 / 65), 14);
  });

  it('compares the local year to date across the new year in India', () => {
    // 00:15 IST on 1 January 2025: this year so far is one bucket; last year's span is its first bucket.
    const newYear = Date.parse('2024-12-31T18:45:00Z');
    const thisYear = at('2024-12-31T18:30:00Z');
    const lastYear = at('2023-12-31T18:30:00Z');
    expect(ist.hourOf(newYear)).toBe(thisYear);
    const rows: Row[] = [
      { hour: thisYear - 1, category: 'crime_children', events: 5 }, // 23:00 IST on 31 December: last year
      { hour: thisYear, category: 'crime_children', events: 3 },
      { hour: lastYear - 1, category: 'crime_children', events: 11 }, // 2023
      { hour: lastYear, category: 'crime_children', events: 2 },
      { hour: lastYear + 1, category: 'crime_children', events: 7 },
    ];
    const atMidnight = features(rows, { asOf: newYear });
    expect(atMidnight.categories.crime_children.compstat.yearToDate).toEqual({
      current: 3,
      previous: 2,
      changePct: 50,
    });
    expect(feature(atMidnight, 'crime_children.change_ytd')).toBeCloseTo(Math.log(4 / 3), 14);
    // An hour later both spans have grown by one bucket.
    const anHourLater = features(rows, { asOf: newYear + 3_600_000 });
    expect(anHourLater.categories.crime_children.compstat.yearToDate).toEqual({
      current: 3,
      previous: 9,
      changePct: ((3 - 9) / 9) * 100,
    });
    // A day earlier the year is 2024: 8,761 buckets so far (a leap year); as many from 1 January 2023
    // would run one bucket past the end of 2023 (8,760 buckets), so last year's span stops there: 11.
    const dayBefore = features(rows, { asOf: newYear - 24 * 3_600_000 });
    expect(dayBefore.categories.crime_children.compstat.yearToDate).toMatchObject({
      current: 2 + 7,
      previous: 11,
    });
  });

  it('leaves the change percentage null when the earlier span is empty', () => {
    const result = features([{ hour: H, category: 'crime_women', events: 1 }]);
    const { compstat } = result.categories.crime_women;
    expect(compstat.weekOverWeek).toEqual({ current: 1, previous: 0, changePct: null });
    expect(compstat.days28).toEqual({ current: 1, previous: 0, changePct: null });
    expect(compstat.yearToDate).toEqual({ current: 1, previous: 0, changePct: null });
    expect(feature(result, 'crime_women.change_wow')).toBeCloseTo(Math.log(2), 14);
    expect(feature(result, 'crime_women.change_ytd')).toBeCloseTo(Math.log(2), 14);
    expect(result.categories.crime_body.compstat.weekOverWeek).toEqual({
      current: 0,
      previous: 0,
      changePct: null,
    });
    expect(feature(result, 'crime_body.change_wow')).toBe(0);
  });

  it('computes the hour-of-week and day baselines by hand', () => {
    // f = 0.25. Same hour one and two weeks ago: 2 + 6; the 23 hours before it a week ago: 3 (h-192 is out).
    const rows: Row[] = [
      { hour: H, category: 'suicide', events: 1 },
      { hour: H - 5, category: 'suicide', events: 1 },
      { hour: H - 168, category: 'suicide', events: 2 },
      { hour: H - 336, category: 'suicide', events: 6 },
      { hour: H - 169, category: 'suicide', events: 3 },
      { hour: H - 192, category: 'suicide', events: 5 },
    ];
    const result = features(rows);
    const { hourOfWeek, day } = result.categories.suicide.baseline;
    // hour: expected = 0.25 * (2 + 6) / 8; day: expected = (3 + 0.25 * (2 + 6)) / 8.
    expect(hourOfWeek.observed).toBe(1);
    expect(hourOfWeek.expected).toBeCloseTo(0.25, 14);
    expect(hourOfWeek.tailProbability).toBeCloseTo(1 - Math.exp(-0.25), 14);
    expect(day.observed).toBe(2);
    expect(day.expected).toBeCloseTo(0.625, 14);
    expect(day.tailProbability).toBeCloseTo(1 - Math.exp(-0.625) * 1.625, 14);
    expect(feature(result, 'suicide.surprise_hour')).toBeCloseTo(-Math.log10(1 - Math.exp(-0.25)), 12);
    expect(feature(result, 'suicide.surprise_24h')).toBeCloseTo(
      -Math.log10(1 - Math.exp(-0.625) * 1.625),
      12,
    );
    expect(result.incidents.baseline).toEqual(result.categories.suicide.baseline);
    expect(feature(result, 'incidents.surprise_24h')).toBe(feature(result, 'suicide.surprise_24h'));
    // Nothing observed: no surprise.
    expect(result.categories.harassment.baseline.day).toEqual({
      observed: 0,
      expected: 0,
      tailProbability: 1,
    });
    expect(feature(result, 'harassment.surprise_24h')).toBe(0);
  });

  it('finds an event in an hour that has only just begun maximally surprising', () => {
    const start = ist.startOf(H);
    const rows: Row[] = [
      { hour: H, category: 'other', events: 1 },
      { hour: H - 168, category: 'other', events: 4 },
    ];
    const result = features(rows, { asOf: start });
    expect(result.categories.other.baseline.hourOfWeek).toEqual({
      observed: 1,
      expected: 0,
      tailProbability: 0,
    });
    expect(feature(result, 'other.surprise_hour')).toBeCloseTo(12, 14);
  });

  it('gives rates per 100,000 people and the population features', () => {
    const rows: Row[] = [
      { hour: H - 100, category: 'crime_property', events: 3 },
      { hour: H - 1000, category: 'crime_property', events: 1 },
    ];
    const result = features(rows);
    expect(result.categories.crime_property.ratePer100k).toEqual({ '24h': 0, '28d': 1.5, '365d': 2 });
    expect(result.incidents.ratePer100k).toEqual({ '24h': 0, '28d': 1.5, '365d': 2 });
    expect(feature(result, 'crime_property.rate_28d')).toBe(1.5);
    expect(feature(result, 'crime_property.rate_365d')).toBe(2);
    expect(feature(result, 'incidents.rate_365d')).toBe(2);
    expect(feature(result, 'population.log10')).toBeCloseTo(Math.log10(200_000), 14);
    expect(feature(result, 'population.density_log10')).toBeCloseTo(Math.log10(4000), 14);
    expect(feature(result, 'population.share_of_region')).toBe(0.2);
    expect(feature(result, 'socio.literacy_rate')).toBe(0.8);
    expect(feature(result, 'socio.sex_ratio')).toBe(0.95);
    expect(feature(result, 'socio.urban_share')).toBe(0.4);
  });

  it('leaves rates null, and their features 0, when the population is unknown', () => {
    const { population: _population, ...unknown } = DISTRICT;
    const rows: Row[] = [
      { hour: H - 100, category: 'crime_property', events: 3 },
      { hour: H - 2, category: 'road_accident', events: 1, killed: 1, injured: 2 },
    ];
    const result = features(rows, { unit: unknown });
    expect(result.population).toBeNull();
    for (const category of CATEGORIES) expect(result.categories[category].ratePer100k).toBeNull();
    expect(result.incidents.ratePer100k).toBeNull();
    for (const name of [
      'crime_property.rate_28d',
      'crime_property.rate_365d',
      'incidents.rate_365d',
      'accidents.killed_rate_365d',
      'accidents.injured_rate_365d',
      'population.log10',
      'population.density_log10',
      'population.share_of_region',
    ]) {
      expect(feature(result, name), name).toBe(0);
    }
    expect(feature(result, 'socio.sex_ratio')).toBe(0.95);
    const bare = features([], { unit: { code: 'TN-BAR', name: 'Bare', kind: 'district', lat: 0, lon: 0 } });
    expect(feature(bare, 'socio.literacy_rate')).toBe(0);
    expect(feature(bare, 'socio.sex_ratio')).toBe(0);
    expect(feature(bare, 'socio.urban_share')).toBe(0);
  });

  it('counts road accident casualties, per accident and per 100,000 people', () => {
    const rows: Row[] = [
      { hour: H - 2, category: 'road_accident', events: 2, killed: 1, injured: 3 },
      { hour: H - 100, category: 'road_accident', events: 1, killed: 0, injured: 2 },
      { hour: H - 5000, category: 'road_accident', events: 1, killed: 2, injured: 0 },
    ];
    const result = features(rows);
    expect(result.accidents).toEqual({
      killed: { '24h': 1, '28d': 1, '365d': 3 },
      injured: { '24h': 3, '28d': 5, '365d': 5 },
      perAccident: { '28d': { killed: 1 / 3, injured: 5 / 3 }, '365d': { killed: 3 / 4, injured: 5 / 4 } },
    });
    expect(feature(result, 'accidents.killed_24h')).toBe(1);
    expect(feature(result, 'accidents.injured_28d')).toBe(5);
    expect(feature(result, 'accidents.killed_per_accident_365d')).toBe(0.75);
    expect(feature(result, 'accidents.killed_rate_365d')).toBe(1.5);
    expect(feature(result, 'accidents.injured_rate_365d')).toBe(2.5);
    expect(feature(result, 'incidents.count_365d')).toBe(0);
    expect(feature(result, 'mix.accidents_per_incident_365d')).toBe(0);
    const none = features([]);
    expect(none.accidents.perAccident).toEqual({
      '28d': { killed: 0, injured: 0 },
      '365d': { killed: 0, injured: 0 },
    });
  });

  it('splits the crime mix and the night and weekend shares by local time', () => {
    const rows: Row[] = [
      { hour: at('2025-03-14T20:30:00Z'), category: 'crime_women', events: 1 }, // Sat 02:00 IST: night, weekend
      { hour: at('2025-03-12T17:30:00Z'), category: 'crime_property', events: 1 }, // Wed 23:00 IST: night
      { hour: at('2025-03-12T06:30:00Z'), category: 'crime_property', events: 1 }, // Wed 12:00 IST
      { hour: at('2025-03-09T06:30:00Z'), category: 'crime_property', events: 1 }, // Sun 12:00 IST: weekend
      { hour: at('2025-03-11T04:30:00Z'), category: 'road_accident', events: 1 }, // Tue 10:00 IST
      { hour: at('2025-02-14T19:30:00Z'), category: 'crime_body', events: 1 }, // Sat 01:00 IST, 28 days ago: out
    ];
    const result = features(rows);
    expect(feature(result, 'mix.women_share_365d')).toBe(0.2);
    expect(feature(result, 'mix.property_share_365d')).toBe(0.6);
    expect(feature(result, 'mix.body_share_365d')).toBe(0.2);
    expect(feature(result, 'mix.children_share_365d')).toBe(0);
    expect(feature(result, 'mix.accidents_per_incident_365d')).toBe(0.2);
    expect(feature(result, 'mix.night_share_28d')).toBe(0.4);
    expect(feature(result, 'mix.weekend_share_28d')).toBe(0.4);
    const empty = features([]);
    expect(feature(empty, 'mix.night_share_28d')).toBe(0);
    expect(feature(empty, 'mix.women_share_365d')).toBe(0);
  });

  it('reads night and weekend in Chicago local time across the spring-forward day', () => {
    const asOf = Date.parse('2025-03-10T17:00:00Z'); // Monday 12:00 CDT
    const rows: Row[] = [
      { hour: at('2025-03-09T08:00:00Z', chicago), category: 'other', events: 1 }, // Sun 03:00 CDT: night, weekend
      { hour: at('2025-03-09T11:00:00Z', chicago), category: 'other', events: 1 }, // Sun 06:00 CDT: weekend
      { hour: at('2025-03-08T04:00:00Z', chicago), category: 'other', events: 1 }, // Fri 22:00 CST: night
    ];
    const result = features(rows, { clock: chicago, asOf });
    expect(feature(result, 'mix.night_share_28d')).toBeCloseTo(2 / 3, 15);
    expect(feature(result, 'mix.weekend_share_28d')).toBeCloseTo(2 / 3, 15);
  });

  it('measures the hours since the last event of any category, up to a year back', () => {
    const recency = (rows: Row[]): number => feature(features(rows), 'recency.hours_since_last_event');
    expect(
      recency([
        { hour: H - 7, category: 'crime_body', events: 1 },
        { hour: H - 30, category: 'road_accident', events: 1 },
      ]),
    ).toBe(7);
    expect(recency([{ hour: H, category: 'harassment', events: 1 }])).toBe(0);
    expect(recency([{ hour: H - 8759, category: 'harassment', events: 1 }])).toBe(8759);
    expect(recency([{ hour: H - 8760, category: 'harassment', events: 1 }])).toBe(8760);
    expect(recency([])).toBe(8760);
  });

  it('returns 128 finite features and plain data that survives JSON', () => {
    const rows: Row[] = [
      { hour: H, category: 'crime_body', events: 2 },
      { hour: H - 3000, category: 'road_accident', events: 1, killed: 1, injured: 1 },
    ];
    const result = features(rows);
    expect(result.vector).toHaveLength(128);
    expect(result.vector.every(Number.isFinite)).toBe(true);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('refuses bad input before computing anything', () => {
    const counts = new ListCounts([]);
    const input = { counts, clock: ist, asOf: AS_OF, unit: DISTRICT, regionPopulation: 1_000_000 };
    const policeUnit: RegionUnit = { ...DISTRICT, kind: 'police_unit', parent: 'TN-CHN' };
    expect(() => computeDistrictFeatures({ ...input, asOf: Number.NaN })).toThrow(FeatureInputError);
    expect(() => computeDistrictFeatures({ ...input, unit: policeUnit })).toThrow(/police_unit/);
    expect(() => computeDistrictFeatures({ ...input, unit: { ...DISTRICT, population: 0 } })).toThrow(
      FeatureInputError,
    );
    expect(() => computeDistrictFeatures({ ...input, regionPopulation: 100_000 })).toThrow(/smaller/);
    expect(() => computeDistrictFeatures({ ...input, unit: { ...DISTRICT, urbanShare: 1.5 } })).toThrow(
      FeatureInputError,
    );
  });

  it('refuses counts that do not cover the spans it reads', () => {
    const cube = new HourlyCube({ capacityHours: 24 * 400, endHour: H + 1 });
    expect(() =>
      computeDistrictFeatures({
        counts: cube,
        clock: ist,
        asOf: AS_OF,
        unit: DISTRICT,
        regionPopulation: null,
      }),
    ).toThrow(FeatureInputError);
  });
});

describe('computeDistrictFeatures on random events', () => {
  const cases = [
    { clock: ist, iso: '2025-03-15T10:45:00Z' },
    { clock: ist, iso: '2024-12-31T18:59:00Z' }, // 00:29 IST on 1 January
    { clock: ist, iso: '2024-03-01T00:00:00Z' }, // leap-year spring
    { clock: chicago, iso: '2025-03-09T09:20:00Z' }, // the morning clocks go forward
    { clock: chicago, iso: '2025-11-02T07:40:00Z' }, // the second 01:00 CST
    { clock: chicago, iso: '2026-01-01T06:05:00Z' }, // five past midnight on 1 January
  ];

  it.each(cases.map((c, seed) => ({ ...c, seed })))(
    'the cube, fed with amendments and advanced, agrees with summing rows ($clock.timeZone $iso)',
    ({ clock, iso, seed }) => {
      const next = mulberry32(seed + 1);
      const pick = (n: number): number => Math.floor(next() * n);
      const asOf = Date.parse(iso);
      const hour = clock.hourOf(asOf);
      const reach = [24 * 30, 24 * 400, 17_500];
      const rows: Row[] = [];
      for (let i = 0; i < 400; i++) {
        const category = CATEGORIES[pick(CATEGORIES.length)] ?? 'other';
        const accident = category === 'road_accident';
        rows.push({
          hour: hour - pick(reach[pick(reach.length)] ?? 1),
          category,
          events: 1 + pick(3),
          killed: accident ? pick(3) : 0,
          injured: accident ? pick(4) : 0,
        });
      }
      // The cube starts earlier, takes the older rows, slides to the current hour, then takes the rest;
      // some events first arrive in the wrong bucket or category and are amended.
      const firstEnd = hour + 1 - 200;
      const cube = new HourlyCube({ endHour: firstEnd });
      const feed = (row: Row): void => {
        if (next() < 0.2) {
          const wrong = {
            hour: row.hour - pick(50),
            category: CATEGORIES[pick(CATEGORIES.length)] ?? 'other',
          };
          expect(cube.add(wrong.category, wrong.hour, 1, 0, 0)).toBe(true);
          expect(cube.add(wrong.category, wrong.hour, -1, 0, 0)).toBe(true);
        }
        expect(cube.add(row.category, row.hour, row.events, row.killed ?? 0, row.injured ?? 0)).toBe(true);
      };
      for (const row of rows) if (row.hour < firstEnd) feed(row);
      cube.advanceTo(hour + 1);
      for (const row of rows) if (row.hour >= firstEnd) feed(row);

      const unit: RegionUnit = seed % 2 === 0 ? DISTRICT : { ...DISTRICT, population: undefined };
      const input = { clock, asOf, unit, regionPopulation: seed % 3 === 0 ? null : 5_000_000 };
      const fromCube = computeDistrictFeatures({ ...input, counts: cube });
      const fromRows = computeDistrictFeatures({ ...input, counts: new ListCounts(rows) });
      expect(fromCube).toEqual(fromRows);
      expect(fromCube.vector).toHaveLength(128);
      expect(fromCube.vector.every(Number.isFinite)).toBe(true);
      expect(
        fromCube.incidents.counts['365d'] + fromCube.categories.road_accident.counts['365d'],
      ).toBeGreaterThan(0);
    },
  );
});
