import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createRegistry, loadRegion } from './registry.js';

const SHARED = new URL('../../../shared/data/', import.meta.url);
const tamilNadu = await loadRegion(new URL('../regions/tamil-nadu.json', import.meta.url));
const chicago = await loadRegion(new URL('../regions/chicago.json', import.meta.url));

/** Census 2011 Table A-1, Tamil Nadu's district Total rows, read without the loaders. */
const censusDistricts = new Map(
  parse<Record<string, string>>(readFileSync(new URL('census/census_population.csv', SHARED)), {
    columns: true,
  })
    .filter((row) => row['State Code'] === '33' && row.Category === 'DISTRICT' && row.Residence === 'Total')
    .map((row) => [Number(row['District Code']), Number(row['Population (Person)'])]),
);

describe('Tamil Nadu registry', () => {
  it('sums the 2011 population of its 38 districts to exactly 72,147,030', () => {
    const districts = tamilNadu.districts();
    expect(districts).toHaveLength(38);
    expect(districts.reduce((sum, unit) => sum + (unit.population ?? 0), 0)).toBe(72_147_030);
  });

  it.each([
    ['TN-CHN', 'Chennai', 'district', undefined],
    ['TN-MDU', 'Madurai', 'district', undefined],
    ['TN-TVL', 'Tiruvallur', 'district', undefined],
    ['TN-CGL', 'Chengalpattu', 'district', undefined],
    ['TN-TBM', 'Tambaram City Police', 'police_unit', 'TN-CGL'],
    ['TN-AVD', 'Avadi City Police', 'police_unit', 'TN-TVL'],
    ['TN-SLMC', 'Salem City Police', 'police_unit', 'TN-SLM'],
    ['TN-CHNC', 'Greater Chennai Police', 'police_unit', 'TN-CHN'],
    ['TN-RLY', 'Railway Police', 'police_unit', undefined],
  ])('keeps %s (%s)', (code, name, kind, parent) => {
    expect(tamilNadu.unit(code)).toMatchObject({ code, name, kind });
    expect(tamilNadu.unit(code)?.parent).toBe(parent);
  });

  it.each([
    ['THOOTHUGUDI', 'TN-TUT'],
    ['Tuticorin', 'TN-TUT'],
    ['Thoothukkudi', 'TN-TUT'],
    ['Kanyakumari', 'TN-KKM'],
    ['Villupuram', 'TN-VPM'],
    ['VILUPPURAM', 'TN-VPM'],
    ['Trichy', 'TN-TRY'],
    ['TRICHY URBAN', 'TN-TRYC'],
    ['Tiruchirappalli City', 'TN-TRYC'],
    ['Virudunagar', 'TN-VNR'],
    ['Nagappattinam', 'TN-NGP'],
    ['Tiruppattur', 'TN-TPT'],
    ['Tiruppur', 'TN-TUP'],
    ['The Nilgiris', 'TN-NLG'],
    ['Tirunelveli  City', 'TN-TNVC'],
    ['CHENNAI RLY.', 'TN-RLY'],
    ['Ranipettai', 'TN-RPT'],
    ['TN-MDU', 'TN-MDU'],
    ['Mayiladuthurai', 'TN-MYD'],
  ])('finds "%s" as %s', (name, code) => {
    expect(tamilNadu.find(name)?.code).toBe(code);
  });

  it('does not guess at names no unit spells', () => {
    expect(tamilNadu.find('Tirupati')).toBeUndefined();
    expect(tamilNadu.find('TOTAL')).toBeUndefined();
  });

  it('merges police units into their revenue district; statewide units have none', () => {
    expect(tamilNadu.districtOf('TN-AVD')).toBe('TN-TVL');
    expect(tamilNadu.districtOf('TN-MDU')).toBe('TN-MDU');
    expect(tamilNadu.districtOf('TN-RLY')).toBeUndefined();
    expect(tamilNadu.unitsOf('TN-CHN').map((unit) => unit.code)).toEqual(['TN-CHN', 'TN-CHNC']);
    expect(tamilNadu.censusDistrictOf('TN-TBM')).toBe('TN-KPM');
    expect(tamilNadu.censusDistrictOf('TN-MDUC')).toBe('TN-MDU');
  });

  it.each([
    ['TN-CGL', 'TN-KPM', 604],
    ['TN-KKI', 'TN-VPM', 607],
    ['TN-TKS', 'TN-TNV', 628],
    ['TN-MYD', 'TN-NGP', 618],
  ])('apportions %s out of %s so the two sum to census district %i', (child, parent, censusCode) => {
    const [c, p] = [tamilNadu.unit(child), tamilNadu.unit(parent)];
    expect(c?.carvedFrom).toEqual([parent]);
    expect(c?.populationSource).toMatch(/^census-2011 sub-districts of /);
    expect((c?.population ?? 0) + (p?.population ?? 0)).toBe(censusDistricts.get(censusCode));
  });

  it('splits Vellore three ways: Vellore, Ranipet and Tirupathur sum to census district 605', () => {
    const codes = ['TN-VLR', 'TN-RPT', 'TN-TPT'];
    const sum = codes.reduce((acc, code) => acc + (tamilNadu.unit(code)?.population ?? 0), 0);
    expect(sum).toBe(censusDistricts.get(605));
  });

  it('gives every district unchanged since 2011 its census population, codes and indicators', () => {
    const unchanged = tamilNadu
      .districts()
      .filter((unit) => unit.populationSource === 'census-2011' && unit.censusCode !== undefined);
    expect(unchanged).toHaveLength(27);
    for (const unit of unchanged) {
      expect(unit.population, unit.code).toBe(censusDistricts.get(unit.censusCode ?? 0));
      expect(unit.lgdCode, unit.code).toBeGreaterThan(0);
      expect(unit.literacyRate, unit.code).toBeGreaterThan(0.5);
      expect(unit.sexRatio, unit.code).toBeGreaterThan(900);
    }
    expect(tamilNadu.unit('TN-CHN')).toMatchObject({ censusCode: 603, lgdCode: 568, urbanShare: 1 });
  });

  it('has LGD codes for the districts formed after 2011 except Mayiladuthurai', () => {
    const lgd = ['TN-KKI', 'TN-CGL', 'TN-RPT', 'TN-TPT', 'TN-TKS', 'TN-MYD'].map(
      (code) => tamilNadu.unit(code)?.lgdCode,
    );
    expect(lgd).toEqual([729, 730, 731, 732, 733, undefined]);
  });
});

describe('registry', () => {
  it('finds Chicago districts by the export spelling', () => {
    expect(chicago.find('001')?.code).toBe('CHI-001');
    expect(chicago.districtOf('CHI-031')).toBe('CHI-031');
  });

  it('refuses two units with the same normalised spelling', () => {
    const unit = { code: 'XX-AA', name: 'Alpha', kind: 'district', lat: 0, lon: 0 } as const;
    const region = {
      code: 'XX',
      name: 'X',
      timeZone: 'UTC',
      units: [unit, { ...unit, code: 'XX-BB', name: 'Beta', spellings: ['ALPHA'] }],
    };
    expect(() => createRegistry(region)).toThrow('"ALPHA" names both XX-AA and XX-BB');
  });
});
