// Builds data/regions/tamil-nadu.json: Tamil Nadu's 38 revenue districts and its police units.
// Usage: node data/scripts/build-tamil-nadu-region.mjs
//
// Sources (all under ../shared/data, read unchanged):
//   census/census_population.csv          Census 2011 Table A-1: population, male/female, area, Total/Rural/Urban
//                                          for the state, its 32 districts and their sub-districts (taluks).
//   census/india-districts-census-2011.csv Census 2011 district indicators: literate people.
//   geo/TAMIL NADU District Hq.geojson     the 32 district headquarters (DTCODE11 = census code, Dist_LGD = LGD code).
//   geo/tamilnadu_district.json            the 32 district polygons of 2011 (spellings only).
//   ncrb/*.csv, accidents/road_acccidents_ML_mini_project.csv, accidents/Regulatory ... 2020 India.csv
//                                          unit spellings; the NCRB 2016+ `district_code` column is the LGD code,
//                                          which gives the LGD codes of five of the six districts formed after 2011.
//
// Districts formed after the 2011 census (Chengalpattu, Kallakurichi, Ranipet, Tenkasi, Tirupathur in 2019,
// Mayiladuthurai in 2020). Method: each new district is the sum of whole 2011 sub-districts (census_population.csv
// rows) listed in CARVED below; its parent keeps the rest, so the state total stays 72,147,030. Population,
// male/female, urban population and area all come from those sub-district rows. The list names the 2011
// sub-district whose headquarters town lies in the new district; taluks split later across the new boundary
// (Tirukkoyilur between Kallakurichi and Viluppuram; the Greater Chennai parts of Alandur and Sholinganallur,
// which joined Chennai district in 2018) are not followed, and the 2018 extension of Chennai district is not
// modelled: every other district keeps its 2011 boundary. Literacy is not published per sub-district in these
// files, so a new district and its reduced parent both carry the undivided 2011 district's literacy rate.
//
// Spellings: every listed spelling must occur in a source file, and every Tamil Nadu unit name in the NCRB files
// and the district-level accident file must be claimed by exactly one unit; the script fails otherwise.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = `${root}../shared/data/`;
const STATE_TOTAL = 72_147_030;

/** Revenue districts: code, name, census 2011 code (absent for districts formed later), spellings. */
const DISTRICTS = [
  ['TN-ARI', 'Ariyalur', 616, ['Ariyalur']],
  ['TN-CGL', 'Chengalpattu', undefined, ['Chengalpattu', 'CHENGAI']],
  ['TN-CHN', 'Chennai', 603, ['Chennai']],
  ['TN-CBE', 'Coimbatore', 632, ['Coimbatore', 'COIMBATORE RURAL']],
  ['TN-CUD', 'Cuddalore', 617, ['Cuddalore']],
  ['TN-DPI', 'Dharmapuri', 630, ['Dharmapuri']],
  ['TN-DGL', 'Dindigul', 612, ['Dindigul']],
  ['TN-ERD', 'Erode', 610, ['Erode']],
  ['TN-KKI', 'Kallakurichi', undefined, ['Kallakurichi']],
  ['TN-KPM', 'Kancheepuram', 604, ['Kancheepuram', 'KANCHIPURAM']],
  ['TN-KKM', 'Kanniyakumari', 629, ['Kanniyakumari', 'KANYAKUMARI']],
  ['TN-KRR', 'Karur', 613, ['Karur']],
  ['TN-KGI', 'Krishnagiri', 631, ['Krishnagiri']],
  ['TN-MDU', 'Madurai', 623, ['Madurai', 'MADURAI RURAL']],
  ['TN-MYD', 'Mayiladuthurai', undefined, []],
  ['TN-NGP', 'Nagapattinam', 618, ['Nagapattinam', 'Nagappattinam']],
  ['TN-NMK', 'Namakkal', 609, ['Namakkal']],
  ['TN-NLG', 'Nilgiris', 611, ['Nilgiris', 'The Nilgiris']],
  ['TN-PBL', 'Perambalur', 615, ['Perambalur']],
  ['TN-PDK', 'Pudukkottai', 621, ['Pudukkottai', 'PUDUKOTTAI']],
  ['TN-RMD', 'Ramanathapuram', 626, ['Ramanathapuram', 'RAMNATHAPURAM']],
  ['TN-RPT', 'Ranipet', undefined, ['Ranipet', 'Ranipettai']],
  ['TN-SLM', 'Salem', 608, ['Salem', 'SALEM RURAL']],
  ['TN-SVG', 'Sivaganga', 622, ['Sivaganga', 'SIVAGANGAI']],
  ['TN-TKS', 'Tenkasi', undefined, ['Tenkasi']],
  ['TN-TNJ', 'Thanjavur', 620, ['Thanjavur']],
  ['TN-THN', 'Theni', 624, ['Theni']],
  ['TN-TUT', 'Thoothukudi', 627, ['Thoothukudi', 'Thoothukkudi', 'THOOTHUGUDI', 'Tuticorin']],
  ['TN-TRY', 'Tiruchirappalli', 614, ['Tiruchirappalli', 'Trichy', 'TRICHY RURAL', 'Tiruchirapalli']],
  ['TN-TNV', 'Tirunelveli', 628, ['Tirunelveli', 'THIRUNELVELI', 'THIRUNELVELI RURAL']],
  ['TN-TPT', 'Tirupathur', undefined, ['Tirupathur', 'Tiruppattur', 'Thirupathur']],
  ['TN-TUP', 'Tiruppur', 633, ['Tiruppur', 'Tirupur']],
  ['TN-TVL', 'Tiruvallur', 602, ['Tiruvallur', 'Thiruvallur']],
  ['TN-TVM', 'Tiruvannamalai', 606, ['Tiruvannamalai', 'Thiruvannamalai']],
  ['TN-TVR', 'Tiruvarur', 619, ['Thiruvarur']],
  ['TN-VLR', 'Vellore', 605, ['Vellore']],
  ['TN-VPM', 'Viluppuram', 607, ['Viluppuram', 'Villupuram']],
  ['TN-VNR', 'Virudhunagar', 625, ['Virudhunagar', 'Virudunagar']],
];

/** Police units: code, name, parent district (none for statewide units), hand-placed HQ, spellings. */
const POLICE_UNITS = [
  ['TN-CHNC', 'Greater Chennai Police', 'TN-CHN', [13.08, 80.27], ['Chennai City']],
  ['TN-AVD', 'Avadi City Police', 'TN-TVL', [13.11, 80.1], ['Avadi']],
  ['TN-TBM', 'Tambaram City Police', 'TN-CGL', [12.92, 80.13], ['Tambaram']],
  ['TN-CBEC', 'Coimbatore City Police', 'TN-CBE', [11.0, 76.97], ['Coimbatore City', 'COIMBATORE URBAN']],
  ['TN-MDUC', 'Madurai City Police', 'TN-MDU', [9.92, 78.12], ['Madurai City', 'MADURAI URBAN']],
  [
    'TN-TRYC',
    'Tiruchirappalli City Police',
    'TN-TRY',
    [10.79, 78.7],
    ['Tiruchirappalli City', 'Trichy City', 'TRICHY URBAN'],
  ],
  ['TN-SLMC', 'Salem City Police', 'TN-SLM', [11.65, 78.16], ['Salem City', 'SALEM URBAN']],
  [
    'TN-TNVC',
    'Tirunelveli City Police',
    'TN-TNV',
    [8.72, 77.73],
    ['Tirunelveli City', 'Thirunelveli City', 'THIRUNELVELI URBAN'],
  ],
  ['TN-TUPC', 'Tiruppur City Police', 'TN-TUP', [11.11, 77.35], ['Tiruppur City', 'Tirupur City']],
  // The Government Railway Police is statewide; NCRB splits it into its Chennai and Tiruchirappalli districts.
  [
    'TN-RLY',
    'Railway Police',
    undefined,
    [13.08, 80.28],
    ['Railway Chennai', 'CHENNAI RLY.', 'Railway Trichy', 'TRICHY RLY.'],
  ],
  ['TN-CYB', 'Cyber Crime Cell', undefined, [13.08, 80.27], ['Cyber Cell']],
  ['TN-OTH', 'Other State Police Units', undefined, [13.04, 80.28], ['Other Units']],
  // 2008-2011 commissionerate over suburbs of both Kancheepuram and Tiruvallur: no single parent.
  ['TN-CHNS', 'Chennai Suburban Police', undefined, [12.99, 80.2], ['CHENNAISUBURBAN']],
];

/** Names in the NCRB files that are state totals, not units. */
const TOTAL_NAMES = ['TOTAL', 'ZZ TOTAL'];

/** 2011 sub-districts (census code, name as in census_population.csv) of each district formed later. */
const CARVED = {
  'TN-CGL': {
    parent: 'TN-KPM',
    formed: 2019,
    subDistricts: [
      [5703, 'Tambaram'],
      [5704, 'Alandur'],
      [5705, 'Sholinganallur'],
      [5706, 'Chengalpattu'],
      [5709, 'Tirukalukundram'],
      [5710, 'Maduranthakam'],
      [5711, 'Cheyyur'],
    ],
  },
  'TN-KKI': {
    parent: 'TN-VPM',
    formed: 2019,
    subDistricts: [
      [5732, 'Tirukkoyilur'],
      [5733, 'Sankarapuram'],
      [5734, 'Kallakkurichi'],
      [5735, 'Ulundurpettai'],
    ],
  },
  'TN-RPT': {
    parent: 'TN-VLR',
    formed: 2019,
    subDistricts: [
      [5714, 'Wallajah'],
      [5715, 'Arakonam'],
      [5716, 'Arcot'],
    ],
  },
  'TN-TPT': {
    parent: 'TN-VLR',
    formed: 2019,
    subDistricts: [
      [5718, 'Vaniyambadi'],
      [5719, 'Ambur'],
      [5720, 'Tirupathur'],
    ],
  },
  'TN-TKS': {
    parent: 'TN-TNV',
    formed: 2019,
    subDistricts: [
      [5870, 'Sivagiri'],
      [5871, 'Sankarankoil'],
      [5872, 'Veerakeralamputhur'],
      [5873, 'Tenkasi'],
      [5874, 'Shenkottai'],
      [5875, 'Alangulam'],
    ],
  },
  'TN-MYD': {
    parent: 'TN-NGP',
    formed: 2020,
    subDistricts: [
      [5795, 'Sirkali'],
      [5796, 'Mayiladuthurai'],
      [5797, 'Kuthalam'],
      [5798, 'Tharangambadi'],
    ],
  },
};

/** Existing hand-placed headquarters of the districts formed after 2011 (not in the 2011 HQ file). */
const NEW_DISTRICT_HQ = {
  'TN-CGL': [12.69, 79.98],
  'TN-KKI': [11.74, 78.96],
  'TN-MYD': [11.1, 79.65],
  'TN-RPT': [12.93, 79.33],
  'TN-TKS': [8.96, 77.3],
  'TN-TPT': [12.5, 78.57],
};

const normalise = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '');
const isTamilNadu = (state) => normalise(state) === 'tamilnadu';
const readCsv = (path) => parse(readFileSync(path), { columns: true, bom: true, relax_column_count: true });
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

function fail(message) {
  throw new Error(`build-tamil-nadu-region: ${message}`);
}

// --- census ---------------------------------------------------------------------------------------------
const a1 = readCsv(`${shared}census/census_population.csv`).filter((row) => row['State Code'] === '33');
const figures = (row) => ({
  population: Number(row['Population (Person)']),
  male: Number(row['Population (Male)']),
  female: Number(row['Population (Female)']),
  area: Number(row.Area),
});
/** Total and Urban figures of a census_population.csv area (district or sub-district). */
function censusArea(category, districtCode, subDistrictCode) {
  const rows = a1.filter(
    (row) =>
      row.Category === category &&
      Number(row['District Code']) === districtCode &&
      Number(row['Sub District Code']) === subDistrictCode,
  );
  const total = rows.find((row) => row.Residence === 'Total');
  const urban = rows.find((row) => row.Residence === 'Urban');
  if (total === undefined || urban === undefined)
    fail(`no census row for ${category} ${districtCode}/${subDistrictCode}`);
  return { name: total.Name.trim(), ...figures(total), urban: figures(urban).population };
}
const stateRow = a1.find((row) => row.Category === 'STATE' && row.Residence === 'Total');
if (Number(stateRow['Population (Person)']) !== STATE_TOTAL) fail('state population is not 72,147,030');

const literacy = new Map(
  readCsv(`${shared}census/india-districts-census-2011.csv`)
    .filter((row) => isTamilNadu(row['State name']))
    .map((row) => [
      Number(row['District code']),
      { name: row['District name'], population: Number(row.Population), literate: Number(row.Literate) },
    ]),
);

// --- geography ------------------------------------------------------------------------------------------
const hq = new Map(
  readJson(`${shared}geo/TAMIL NADU District Hq.geojson`).features.map((feature) => [
    Number(feature.properties.DTCODE11),
    { props: feature.properties, lon: feature.geometry.coordinates[0], lat: feature.geometry.coordinates[1] },
  ]),
);
const polygons = readJson(`${shared}geo/tamilnadu_district.json`).features.map(
  (feature) => feature.properties,
);

// --- spellings in the source files -----------------------------------------------------------------------
/** normalised name -> { raw spelling, files } for every Tamil Nadu unit name that a unit must claim. */
const unitNames = new Map();
/** normalised names that exist in some file but need not be claimed (census, geo, city tables). */
const otherNames = new Map();
function seen(target, raw, file) {
  const key = normalise(raw);
  const entry = target.get(key) ?? { raw: raw.trim(), files: new Set() };
  entry.files.add(file);
  target.set(key, entry);
}
const NCRB_FILES = [
  ['01_District_wise_crimes_committed_IPC_2001_2012.csv', ['DISTRICT']],
  ['01_District_wise_crimes_committed_IPC_2013.csv', ['DISTRICT']],
  ['01_District_wise_crimes_committed_IPC_2014.csv', ['District']],
  ['02_01_District_wise_crimes_committed_against_SC_2001_2012.csv', ['DISTRICT']],
  ['03_District_wise_crimes_committed_against_children_2001_2012.csv', ['DISTRICT']],
  ['42_District_wise_crimes_committed_against_women_2001_2012.csv', ['DISTRICT']],
  ['districtwise-ipc-crimes-2016_TamilNadu_rows.csv', ['district_name', 'registration_circles']],
  ['districtwise-ipc-crimes-2017-onwards.csv', ['district_name', 'registration_circles']],
  ['districtwise-crime-against-women-2017-onwards.csv', ['district_name', 'registration_circles']],
];
/** LGD code per normalised NCRB district_name (2016 onwards). */
const ncrbLgd = new Map();
for (const [file, columns] of NCRB_FILES) {
  for (const row of readCsv(`${shared}ncrb/${file}`)) {
    const state = row['STATE/UT'] ?? row['States/UTs'] ?? row.state_name;
    if (!isTamilNadu(state)) continue;
    for (const column of columns) seen(unitNames, row[column], file);
    if (row.district_code !== undefined) ncrbLgd.set(normalise(row.district_name), Number(row.district_code));
  }
}
for (const row of readCsv(`${shared}accidents/road_acccidents_ML_mini_project.csv`)) {
  seen(unitNames, row.district, 'road_acccidents_ML_mini_project.csv');
}
for (const row of readCsv(`${shared}accidents/Regulatory Affairs of Road Accident Data 2020 India.csv`)) {
  seen(otherNames, row['Million Plus Cities'], 'Regulatory Affairs of Road Accident Data 2020 India.csv');
}
for (const row of a1.filter((row) => row.Category === 'DISTRICT'))
  seen(otherNames, row.Name.replace(/#/g, ''), 'census_population.csv');
for (const { name } of literacy.values()) seen(otherNames, name, 'india-districts-census-2011.csv');
for (const { props } of hq.values()) {
  seen(otherNames, props.DTNAME, 'TAMIL NADU District Hq.geojson');
  seen(otherNames, props.LOC_NAME, 'TAMIL NADU District Hq.geojson');
}
for (const props of polygons) seen(otherNames, props.district, 'tamilnadu_district.json');

const claimed = new Map();
function claim(code, spellings) {
  const result = [];
  for (const spelling of spellings) {
    const key = normalise(spelling);
    const found = unitNames.get(key) ?? otherNames.get(key);
    if (found === undefined) fail(`${code}: spelling "${spelling}" occurs in no source file`);
    if (claimed.has(key)) fail(`"${spelling}" claimed by both ${claimed.get(key)} and ${code}`);
    claimed.set(key, code);
    result.push(spelling);
  }
  return result;
}
/** Every other source spelling that normalises like a listed one is the same spelling for the registry. */
function sourceSpellings(name, spellings) {
  const keys = new Set([normalise(name), ...spellings.map(normalise)]);
  const found = [];
  for (const [key, entry] of [...unitNames, ...otherNames]) if (keys.has(key)) found.push(entry.raw);
  return [...new Set([...spellings, ...found])].filter(
    (spelling, index, all) => all.findIndex((other) => normalise(other) === normalise(spelling)) === index,
  );
}

// --- districts ------------------------------------------------------------------------------------------
const byCode = new Map(DISTRICTS.map(([code, name, censusCode]) => [code, { code, name, censusCode }]));
/** Figures of a 2011 district, or of the sub-districts a later district took from it. */
function districtFigures(code) {
  const carved = CARVED[code];
  if (carved === undefined) {
    const { censusCode } = byCode.get(code);
    const whole = censusArea('DISTRICT', censusCode, 0);
    const losses = Object.entries(CARVED).filter(([, c]) => c.parent === code);
    if (losses.length === 0) return { ...whole, source: 'census-2011' };
    const rest = { ...whole };
    for (const [child] of losses) {
      const part = districtFigures(child);
      for (const key of ['population', 'male', 'female', 'area', 'urban']) rest[key] -= part[key];
    }
    const names = losses.map(([child]) => `${byCode.get(child).name} (${child})`).join(' and ');
    return {
      ...rest,
      source: `census-2011 district ${censusCode} minus the 2011 sub-districts now in ${names}`,
    };
  }
  const parent = byCode.get(carved.parent);
  const sum = { population: 0, male: 0, female: 0, area: 0, urban: 0 };
  for (const [subCode, subName] of carved.subDistricts) {
    const part = censusArea('SUB-DISTRICT', parent.censusCode, subCode);
    if (part.name !== subName) fail(`sub-district ${subCode} is "${part.name}", expected "${subName}"`);
    for (const key of Object.keys(sum)) sum[key] += part[key];
  }
  const list = carved.subDistricts.map(([subCode, subName]) => `${subName} (${subCode})`).join(', ');
  return {
    ...sum,
    source: `census-2011 sub-districts of ${parent.name} (${parent.censusCode}), formed ${carved.formed}: ${list}`,
  };
}

const ncrbLgdOf = (name, spellings) =>
  [name, ...spellings].map((spelling) => ncrbLgd.get(normalise(spelling))).find((code) => code !== undefined);

const districts = DISTRICTS.map(([code, name, censusCode, spellings]) => {
  const carved = CARVED[code];
  const parentCensus = censusCode ?? byCode.get(carved.parent).censusCode;
  const point = censusCode !== undefined ? hq.get(censusCode) : undefined;
  const [lat, lon] =
    point !== undefined ? [round(point.lat, 4), round(point.lon, 4)] : (NEW_DISTRICT_HQ[code] ?? []);
  if (lat === undefined) fail(`${code}: no headquarters`);
  const lgdFromHq = point?.props.Dist_LGD;
  const lgdFromNcrb = ncrbLgdOf(name, spellings);
  if (lgdFromHq !== undefined && lgdFromNcrb !== undefined && lgdFromHq !== lgdFromNcrb)
    fail(`${code}: LGD ${lgdFromHq} in the HQ file, ${lgdFromNcrb} in NCRB`);
  const f = districtFigures(code);
  const lit = literacy.get(parentCensus);
  if (censusCode !== undefined && lit.population !== censusArea('DISTRICT', censusCode, 0).population)
    fail(`${code}: the two census files disagree on the population`);
  return {
    code,
    name,
    kind: 'district',
    lat,
    lon,
    spellings: claim(code, sourceSpellings(name, spellings)),
    ...(censusCode !== undefined ? { censusCode } : {}),
    ...((lgdFromHq ?? lgdFromNcrb) !== undefined ? { lgdCode: lgdFromHq ?? lgdFromNcrb } : {}),
    ...(carved !== undefined ? { carvedFrom: [carved.parent] } : {}),
    population: f.population,
    populationSource: f.source,
    areaKm2: round(f.area, 2),
    literacyRate: round(lit.literate / lit.population, 4),
    sexRatio: Math.round((f.female / f.male) * 1000),
    urbanShare: round(f.urban / f.population, 4),
  };
});

const police = POLICE_UNITS.map(([code, name, parent, [lat, lon], spellings]) => ({
  code,
  name,
  kind: 'police_unit',
  ...(parent !== undefined ? { parent } : {}),
  lat,
  lon,
  spellings: claim(code, sourceSpellings(name, spellings)),
}));

// --- checks ---------------------------------------------------------------------------------------------
const totalNames = new Set(TOTAL_NAMES.map(normalise));
const unclaimed = [...unitNames].filter(([key]) => !claimed.has(key) && !totalNames.has(key));
if (unclaimed.length > 0)
  fail(`unit names claimed by no unit: ${unclaimed.map(([, e]) => `${e.raw} (${[...e.files]})`).join('; ')}`);
const population = districts.reduce((sum, unit) => sum + unit.population, 0);
if (population !== STATE_TOTAL) fail(`district populations sum to ${population}, not ${STATE_TOTAL}`);
if (districts.length !== 38) fail(`expected 38 districts, got ${districts.length}`);

const missingLgd = districts.filter((unit) => unit.lgdCode === undefined).map((unit) => unit.name);
const region = {
  $comment:
    'Generated by data/scripts/build-tamil-nadu-region.mjs from ../shared/data (census/census_population.csv, ' +
    'census/india-districts-census-2011.csv, geo/TAMIL NADU District Hq.geojson, geo/tamilnadu_district.json, ' +
    'ncrb/*.csv, accidents/*.csv); do not edit by hand. Districts: census 2011 figures; headquarters and LGD codes ' +
    'of the 32 districts of 2011 from the HQ file (4 decimals). Districts formed after 2011 (carvedFrom) sum whole ' +
    '2011 sub-districts of their parent (listed in populationSource); the parent keeps the rest, so the populations ' +
    'sum to the census total of 72,147,030; both carry the undivided 2011 district literacy rate. Their LGD codes come ' +
    `from the NCRB district_code column; none is in the data for ${missingLgd.join(', ') || 'none'}. ` +
    'Their headquarters and all police-unit headquarters are the earlier hand-placed points (0.01 degree). ' +
    'Police units without a parent are statewide (railway police, cyber cell, other units) or spanned several ' +
    'districts (Chennai Suburban Police, 2008-2011). Spellings are the unit names found in the source files.',
  code: 'TN',
  name: 'Tamil Nadu',
  timeZone: 'Asia/Kolkata',
  // Written by data/scripts/build-history.mjs and data/scripts/build-map.mjs (relative to this file).
  history: '../history/tamil-nadu.json',
  map: 'tamil-nadu.map.json',
  units: [...districts, ...police],
};
writeFileSync(`${root}data/regions/tamil-nadu.json`, `${JSON.stringify(region, null, 2)}\n`);
console.log(
  `wrote data/regions/tamil-nadu.json: ${districts.length} districts (population ${population}), ` +
    `${police.length} police units; no LGD code in the data for: ${missingLgd.join(', ') || 'none'}`,
);
for (const [code, carved] of Object.entries(CARVED)) {
  const unit = districts.find((d) => d.code === code);
  const parent = districts.find((d) => d.code === carved.parent);
  console.log(`  ${code} ${unit.population} (from ${carved.parent}, which keeps ${parent.population})`);
}
