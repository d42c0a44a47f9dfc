import { describe, expect, it } from 'vitest';
import { CHICAGO_PRIMARY_TYPES, NCRB_HEADS, chicagoCategory, ncrbHead } from './categories.js';
import { readCsvHeader } from './csv.js';
import { NCRB_FILES } from './ncrb.js';

const NCRB = new URL('../../../shared/data/ncrb/', import.meta.url);

describe('NCRB heads', () => {
  it.each([
    ['ipc-2001-2013', 'MURDER', 'crime_body'],
    ['ipc-2001-2013', 'AUTO THEFT', 'crime_property'],
    ['ipc-2001-2013', 'KIDNAPPING AND ABDUCTION OF WOMEN AND GIRLS', 'crime_women'],
    ['ipc-2001-2013', 'INSULT TO MODESTY OF WOMEN', 'harassment'],
    ['ipc-2001-2013', 'CAUSING DEATH BY NEGLIGENCE', 'other'],
    ['ipc-2014', 'Deaths due to negligent driving/act', 'road_accident'],
    ['ipc-2014', 'Incidence of Rash Driving', 'road_accident'],
    ['ipc-2014', 'Stalking', 'harassment'],
    ['ipc-2014', 'Acid attack', 'crime_body'],
    ['ipc-2016', 'incidence_of_rash_driving', 'road_accident'],
    ['ipc-2017', 'hit_and_run', 'road_accident'],
    ['ipc-2017', 'acdnt_other_than_hit_and_run_', 'road_accident'],
    ['ipc-2017', 'rash_driving_pub_way', 'road_accident'],
    ['ipc-2017', 'csng_hrt_rsh_nglgnt_drvng_pblc_wy', 'road_accident'],
    ['ipc-2017', 'grvus_hrt_rsh_nglgnt_drvng', 'road_accident'],
    ['ipc-2017', 'deaths_negl_rel_rail_acdnt', 'other'],
    ['ipc-2017', 'abetment_of_suicide', 'suicide'],
    ['ipc-2017', 'atmpt_cmmt_suicide', 'suicide'],
    ['ipc-2017', 'missing_child_kidnpd', 'crime_children'],
    ['ipc-2017', 'criminal_intimidation', 'harassment'],
    ['ipc-2017', 'crlty_husbnd_relatives', 'crime_women'],
    ['ipc-2017', 'rioting_caste_conflict', 'crime_body'],
    ['ipc-2017', 'atm_fraud', 'crime_property'],
    ['ipc-2017', 'ofnc_elections', 'other'],
    ['women-2001-2012', 'Kidnapping and Abduction', 'crime_women'],
    ['women-2001-2012', 'Insult to modesty of Women', 'harassment'],
    ['women-2017', 'abetment_to_suicide_of_women', 'suicide'],
    ['women-2017', 'rape_girls_below_18', 'crime_children'],
    ['women-2017', 'insult_to_the_modesty_of_women_below_18', 'crime_children'],
    ['women-2017', 'insult_to_the_modesty_of_women_above_18', 'harassment'],
    ['women-2017', 'offences_of_pocso_act', 'crime_children'],
    ['women-2017', 'acid_attack', 'crime_women'],
    ['sc-2001-2012', 'Prevention of atrocities (POA) Act', 'other'],
    ['sc-2001-2012', 'Arson', 'crime_property'],
    ['children-2001-2012', 'Foeticide', 'crime_children'],
    ['children-2001-2012', 'Abetment of suicide', 'suicide'],
  ] as const)('%s "%s" -> %s', (layout, head, category) => {
    expect(ncrbHead(layout, head)).toEqual({ kind: 'count', category });
  });

  it.each([
    ['ipc-2001-2013', 'RAPE'],
    ['ipc-2001-2013', 'THEFT'],
    ['ipc-2014', 'Grievous Hurt'],
    ['ipc-2014', 'Riots'],
    ['ipc-2014', 'Causing Death by Negligence'],
  ] as const)('%s "%s" is a subtotal, never counted', (layout, head) => {
    expect(ncrbHead(layout, head)?.kind).toBe('subtotal');
  });

  it.each(NCRB_FILES.map((spec) => [spec.file, spec] as const))(
    '%s: every column is an identifying column or a mapped head, and every mapped head is a column',
    async (_, spec) => {
      const header = await readCsvHeader(new URL(spec.file, NCRB));
      const keys = [
        spec.stateColumn,
        spec.yearColumn,
        spec.unitColumn,
        spec.districtColumn,
        ...spec.keyColumns,
      ];
      const heads = header.filter((column) => !keys.includes(column));
      expect(heads.filter((head) => ncrbHead(spec.layout, head) === undefined)).toEqual([]);
      expect(Object.keys(NCRB_HEADS[spec.layout]).filter((head) => !heads.includes(head))).toEqual([]);
    },
  );

  it('names only heads of the same table as parts of a subtotal', () => {
    for (const table of Object.values(NCRB_HEADS)) {
      for (const rule of Object.values(table)) {
        if (rule.kind === 'subtotal') for (const part of rule.parts) expect(table[part]).toBeDefined();
      }
    }
  });
});

describe('chicagoCategory', () => {
  it.each([
    ['THEFT', 'crime_property'],
    ['BURGLARY', 'crime_property'],
    ['ROBBERY', 'crime_property'],
    ['MOTOR VEHICLE THEFT', 'crime_property'],
    ['CRIMINAL DAMAGE', 'crime_property'],
    ['DECEPTIVE PRACTICE', 'crime_property'],
    ['ARSON', 'crime_property'],
    ['BATTERY', 'crime_body'],
    ['ASSAULT', 'crime_body'],
    ['HOMICIDE', 'crime_body'],
    ['KIDNAPPING', 'crime_body'],
    ['WEAPONS VIOLATION', 'crime_body'],
    ['CRIM SEXUAL ASSAULT', 'crime_women'],
    ['SEX OFFENSE', 'crime_women'],
    ['HUMAN TRAFFICKING', 'crime_women'],
    ['OFFENSE INVOLVING CHILDREN', 'crime_children'],
    ['STALKING', 'harassment'],
    ['INTIMIDATION', 'harassment'],
    ['NARCOTICS', 'other'],
    ['CRIMINAL TRESPASS', 'other'],
    ['NON-CRIMINAL', 'other'],
    [' theft ', 'crime_property'],
  ] as const)('%s -> %s', (primaryType, category) => {
    expect(chicagoCategory(primaryType)).toBe(category);
  });

  it('lists primary types in upper case, as the export spells them', () => {
    for (const type of Object.keys(CHICAGO_PRIMARY_TYPES)) expect(type).toBe(type.toUpperCase());
  });
});
