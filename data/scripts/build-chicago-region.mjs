// Builds data/regions/chicago.json: Chicago's 23 police districts, for the real-stream tests and replay.
// Source: ../shared/data/incidents/chicago_crimes_2016.csv (City of Chicago, "Crimes - 2001 to present").
// A district's point is the mean coordinate of its 2016 incidents (police district names are the CPD's).
// Usage: node data/scripts/build-chicago-region.mjs
import { createReadStream, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';

const root = fileURLToPath(new URL('../../', import.meta.url));
const source = `${root}../shared/data/incidents/chicago_crimes_2016.csv`;
const NAMES = {
  '001': 'Central',
  '002': 'Wentworth',
  '003': 'Grand Crossing',
  '004': 'South Chicago',
  '005': 'Calumet',
  '006': 'Gresham',
  '007': 'Englewood',
  '008': 'Chicago Lawn',
  '009': 'Deering',
  '010': 'Ogden',
  '011': 'Harrison',
  '012': 'Near West',
  '014': 'Shakespeare',
  '015': 'Austin',
  '016': 'Jefferson Park',
  '017': 'Albany Park',
  '018': 'Near North',
  '019': 'Town Hall',
  '020': 'Lincoln',
  '022': 'Morgan Park',
  '024': 'Rogers Park',
  '025': 'Grand Central',
  '031': 'District 31',
};

const sums = new Map();
const parser = createReadStream(source).pipe(parse({ columns: true }));
for await (const row of parser) {
  const lat = Number(row.Latitude);
  const lon = Number(row.Longitude);
  if (!(row.District in NAMES) || row.Latitude === '' || !Number.isFinite(lat) || !Number.isFinite(lon))
    continue;
  const sum = sums.get(row.District) ?? { lat: 0, lon: 0, n: 0 };
  sums.set(row.District, { lat: sum.lat + lat, lon: sum.lon + lon, n: sum.n + 1 });
}
const round = (x) => Math.round(x * 1e4) / 1e4;
const units = Object.entries(NAMES).map(([number, name]) => {
  const sum = sums.get(number);
  if (sum === undefined) throw new Error(`no located 2016 incident in district ${number}`);
  return {
    code: `CHI-${number}`,
    name,
    kind: 'district',
    lat: round(sum.lat / sum.n),
    lon: round(sum.lon / sum.n),
    spellings: [number],
  };
});
const region = {
  $comment: `Chicago police districts. Points: mean coordinate of each district's 2016 incidents (${units.length} districts), from ../shared/data/incidents/chicago_crimes_2016.csv by data/scripts/build-chicago-region.mjs.`,
  code: 'CHI',
  name: 'Chicago',
  timeZone: 'America/Chicago',
  units,
};
writeFileSync(`${root}data/regions/chicago.json`, `${JSON.stringify(region, null, 2)}\n`);
console.log(`wrote data/regions/chicago.json: ${units.length} districts`);
