import { describe, expect, it } from 'vitest';
import { loadChicagoIncidents } from './incidents.js';
import { loadRegion } from './registry.js';

const INCIDENTS = new URL('../../../shared/data/incidents/', import.meta.url);
const chicago = await loadRegion(new URL('../regions/chicago.json', import.meta.url));
// Each file is ~270,000 rows through csv-parse: about ten seconds on these machines.
const SLOW = { timeout: 90_000 };

describe('Chicago incidents loader', () => {
  it('2016: every one of the 268,813 incidents, in the 23 districts, with UTC timestamps', SLOW, async () => {
    const { rows, coverage } = await loadChicagoIncidents(
      new URL('chicago_crimes_2016.csv', INCIDENTS),
      chicago,
    );
    expect(coverage.rowsRead).toBe(268_813);
    expect(rows).toHaveLength(268_813);
    expect(coverage.years).toEqual([2016]);
    expect(coverage.unmappedNames).toEqual([]);
    expect(coverage.missingDistricts).toEqual([]);
    expect(new Set(rows.map((row) => row.district)).size).toBe(23);
    // 01/01/2016 12:01:00 AM in Chicago is CST (UTC-6).
    expect(rows[0]).toMatchObject({
      id: '10364665',
      timestamp: '2016-01-01T06:01:00.000Z',
      district: 'CHI-010',
    });
    // Counts per Primary Type computed from the file with Python's csv module.
    const ofType = (type: string) => rows.filter((row) => row.primaryType === type).length;
    expect([ofType('THEFT'), ofType('BATTERY'), ofType('STALKING')]).toEqual([61_600, 50_292, 175]);
    const property = rows.filter((row) => row.category === 'crime_property').length;
    expect(property).toBe(61_600 + 14_287 + 11_960 + 11_293 + 31_018 + 18_726 + 516);
    expect(coverage.notes[0]).toMatch(/^primary types read as "other": OTHER OFFENSE 17277, NARCOTICS 13287/);
  });

  it(
    '2017: the one incident without a District is skipped and named; summer times are CDT',
    SLOW,
    async () => {
      const { rows, coverage } = await loadChicagoIncidents(
        new URL('chicago_crimes_2017.csv', INCIDENTS),
        chicago,
      );
      expect(coverage.rowsRead).toBe(267_792);
      expect(rows).toHaveLength(267_791);
      expect(coverage.skipped).toEqual([
        { reason: 'District is empty', rows: 1, examples: ['row 256243: ID 11181991, District ""'] },
      ]);
      const at = (id: string) => rows.find((row) => row.id === id)?.timestamp;
      // 07/04/2017 12:00:00 PM is CDT (UTC-5); 11/05/2017 01:30:00 AM is repeated and read as the earlier, CDT.
      expect(at('11005366')).toBe('2017-07-04T17:00:00.000Z');
      expect(at('11140491')).toBe('2017-11-05T06:30:00.000Z');
      expect(rows.filter((row) => row.location === undefined).length / rows.length).toBeLessThan(0.02);
    },
  );
});
