// Builds data/rates/tamil-nadu.json, the calibrated simulator's rate table (streams/src/rate-table.ts).
// Sources (../shared/data), read through the loaders of @district-monitor/data (run `npm run build` first):
// - crimes: NCRB districtwise-ipc-crimes-2017-onwards.csv, the latest year (2022), cases per district and
//   category by the head mapping of data/src/categories.ts (road-accident heads left out: accidents come
//   from the accident table); a district NCRB does not list gets its parent's rate in proportion to the
//   2011 population it was carved out with, and the parent keeps the rest.
// - road accidents: road_acccidents_ML_mini_project.csv, 2021, city and district police units merged into
//   their district; killed per accident from the same file's 2021 deaths.
// - accident profiles: only_road_accidents_data3.csv (3-hour slots) and only_road_accidents_data_month2.csv,
//   Tamil Nadu, their latest year (2014).
// - injured per accident: not in the data; MoRTH "Road Accidents in India 2021": 384,448 injured in 412,432
//   accidents = 0.93 (stated, not derived).
// - crime time profiles: no district-level hourly or monthly crime data exists in ../shared/data; the
//   evening peak and weekend lift below are stated assumptions, flat across months.
// Usage: npm run build && node data/scripts/build-simulator-rates.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ACCIDENT_FILES,
  loadAccidentsByMonth,
  loadAccidentsByTimeOfDay,
  loadAccidentUnits,
  loadNcrbFile,
  loadRegion,
  NCRB_FILES,
} from '../dist/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = `${root}../shared/data/`;
const registry = await loadRegion(`${root}data/regions/tamil-nadu.json`);
const districts = registry.districts();

// Crimes, NCRB latest year.
const ipcSpec = NCRB_FILES.find((spec) => spec.file === 'districtwise-ipc-crimes-2017-onwards.csv');
const ipc = await loadNcrbFile(`${shared}ncrb/`, ipcSpec, registry);
const latest = Math.max(...ipc.rows.map((row) => row.year));
const yearly = Object.fromEntries(districts.map((d) => [d.code, {}]));
for (const row of ipc.rows) {
  if (row.year !== latest || row.district === null || row.category === 'road_accident') continue;
  const cells = yearly[row.district];
  cells[row.category] = (cells[row.category] ?? 0) + row.count;
}
// Districts carved out after NCRB's table (no rows): share the parent's counts by 2011 population.
const carved = [];
for (const district of districts) {
  if (Object.keys(yearly[district.code]).length > 0 || district.carvedFrom === undefined) continue;
  const parent = registry.find(district.carvedFrom[0]);
  const share = district.population / (district.population + parent.population);
  for (const [category, count] of Object.entries(yearly[parent.code])) {
    yearly[district.code][category] = count * share;
    yearly[parent.code][category] = count * (1 - share);
  }
  carved.push(`${district.name} (${(share * 100).toFixed(1)}% of ${parent.name}'s ${latest} crimes)`);
}

// Road accidents and deaths, 2021, police units merged into their district.
const accidentLoad = await loadAccidentUnits(`${shared}accidents/${ACCIDENT_FILES.units}`, registry);
const accidents = {};
const killed = {};
for (const row of accidentLoad.rows) {
  if (row.year !== 2021 || row.district === null) continue;
  if (row.measure === 'accidents') accidents[row.district] = (accidents[row.district] ?? 0) + row.count;
  if (row.measure === 'killed') killed[row.district] = (killed[row.district] ?? 0) + row.count;
}
const killedPerAccident = {};
for (const district of districts) {
  let count = accidents[district.code];
  let deaths = killed[district.code];
  if (count === undefined && district.carvedFrom !== undefined) {
    // The accident table predates this district: its parent's figures, shared by population.
    const parent = registry.find(district.carvedFrom[0]);
    const share = district.population / (district.population + parent.population);
    count = (accidents[parent.code] ?? 0) * share;
    deaths = (killed[parent.code] ?? 0) * share;
    accidents[parent.code] = (accidents[parent.code] ?? 0) - count;
    killed[parent.code] = (killed[parent.code] ?? 0) - deaths;
  }
  if (count === undefined) throw new Error(`no 2021 accident figure for ${district.name}`);
  yearly[district.code].road_accident = count;
  killedPerAccident[district.code] = Math.round(((deaths ?? 0) / count) * 1000) / 1000;
}
// Shares above were taken from parents after their first use; recompute parents' ratios on what is left.
for (const district of districts) {
  const count = yearly[district.code].road_accident;
  if (accidents[district.code] !== undefined) yearly[district.code].road_accident = accidents[district.code];
  if (count > 0 && killed[district.code] !== undefined && accidents[district.code] !== undefined) {
    killedPerAccident[district.code] =
      Math.round((killed[district.code] / accidents[district.code]) * 1000) / 1000;
  }
}

// Accident profiles from Tamil Nadu's latest year in the state tables.
const normalise = (values) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.map((value) => Math.round((value / mean) * 1000) / 1000);
};
const latestOf = (rows) => rows.filter((row) => row.year === Math.max(...rows.map((r) => r.year)));
const slots = latestOf(
  (await loadAccidentsByTimeOfDay(`${shared}accidents/${ACCIDENT_FILES.timeOfDay}`, registry)).rows,
);
const hourOfDay = normalise(slots.flatMap((row) => [row.count, row.count, row.count]));
const months = latestOf(
  (await loadAccidentsByMonth(`${shared}accidents/${ACCIDENT_FILES.month}`, registry)).rows,
);
const daysIn = [31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const monthOfYear = normalise(
  months.sort((a, b) => a.month - b.month).map((row, i) => row.count / daysIn[i]),
);

const round = (value) => Math.round(value * 10) / 10;
const table = {
  $comment: `Generated by data/scripts/build-simulator-rates.mjs; do not edit. Crimes: NCRB ${latest}; accidents: 2021; ${carved.length > 0 ? `apportioned: ${carved.join(', ')}` : 'no apportioning needed'}.`,
  region: registry.region.code,
  sources: [
    `NCRB districtwise-ipc-crimes-2017-onwards.csv, ${latest}, heads mapped by data/src/categories.ts`,
    'road_acccidents_ML_mini_project.csv, 2021 accidents and deaths, police units merged into districts',
    `only_road_accidents_data3.csv and only_road_accidents_data_month2.csv, Tamil Nadu ${slots[0]?.year}`,
    'injured per accident 0.93: MoRTH, Road Accidents in India 2021 (384,448 injured / 412,432 accidents)',
    'crime hour-of-day and day-of-week profiles: stated assumptions (no such data in ../shared/data)',
  ],
  yearly: Object.fromEntries(
    Object.entries(yearly).map(([code, cells]) => [
      code,
      Object.fromEntries(Object.entries(cells).map(([c, n]) => [c, round(n)])),
    ]),
  ),
  killedPerAccident,
  injuredPerAccident: 0.93,
  profiles: {
    crime: {
      // Assumed: a trough before dawn, an evening peak; weekends 10% above weekdays.
      hourOfDay: normalise([
        0.7, 0.5, 0.4, 0.3, 0.3, 0.4, 0.6, 0.8, 1.0, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.2, 1.3, 1.4, 1.6, 1.7,
        1.6, 1.4, 1.1, 0.9,
      ]),
      dayOfWeek: normalise([1.1, 0.97, 0.97, 0.97, 0.97, 0.97, 1.1]),
      monthOfYear: Array.from({ length: 12 }, () => 1),
    },
    accident: { hourOfDay, dayOfWeek: Array.from({ length: 7 }, () => 1), monthOfYear },
  },
};
writeFileSync(`${root}data/rates/tamil-nadu.json`, `${JSON.stringify(table, null, 2)}\n`);
const total = Object.values(table.yearly).reduce(
  (sum, cells) => sum + Object.values(cells).reduce((a, b) => a + b, 0),
  0,
);
console.log(
  `wrote data/rates/tamil-nadu.json: ${districts.length} districts, ${Math.round(total)} events a year (${(total / 365.25 / 86400).toFixed(4)}/s)`,
);
