import type { HistoryCell } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import {
  NO_RATE_COLOUR,
  RATE_COLOURS,
  rankYear,
  rateBreaks,
  rateClass,
  rateColour,
  yearFills,
} from './yearly';

function cell(unit: string, ratePer100k: number | null, extra: Partial<HistoryCell> = {}): HistoryCell {
  return {
    unit,
    name: unit,
    kind: 'district',
    value: ratePer100k === null ? null : Math.round(ratePer100k * 10),
    population: 1_000_000,
    ratePer100k,
    estimated: false,
    carries: [],
    source: ratePer100k === null ? null : 'src',
    ...extra,
  };
}

describe('rankYear', () => {
  // 2015 is absent: 2016 compares with 2014, and its 5-year mean takes 2014, 2013, 2012, 2011, 2010.
  const years = [2009, 2010, 2011, 2012, 2013, 2014, 2016];
  const rates: Record<number, [number | null, number | null]> = {
    2009: [999, 10],
    2010: [100, 10],
    2011: [110, 10],
    2012: [120, null],
    2013: [130, 10],
    2014: [140, 20],
    2016: [168, 20],
  };
  const byYear = new Map(
    Object.entries(rates).map(([y, [a, b]]) => [Number(y), [cell('TN-A', a), cell('TN-B', b)]] as const),
  );

  it('compares with the previous year with data and the mean of the five years before', () => {
    const rows = rankYear(byYear, years, 2016);
    expect(rows.map((row) => row.code)).toEqual(['TN-A', 'TN-B']);
    const [a, b] = rows;
    expect(a?.previousYear).toBe(2014);
    expect(a?.changePct).toBeCloseTo(20, 10); // 168 against 140
    expect(a?.meanRate).toBeCloseTo(120, 10); // (140 + 130 + 120 + 110 + 100) / 5, 2009 left out
    expect(a?.meanYears).toBe(5);
    expect(a?.vsMeanPct).toBeCloseTo(40, 10);
    // B has no 2012 rate: its mean takes the five earlier years that have one (2014, 2013, 2011, 2010, 2009).
    expect(b?.meanRate).toBeCloseTo(12, 10); // (20 + 10 + 10 + 10 + 10) / 5
    expect(b?.changePct).toBe(0);
  });

  it('leaves changes empty without an earlier rate and puts units without a rate last', () => {
    const first = rankYear(byYear, years, 2009);
    expect(first[0]?.changePct).toBeNull();
    expect(first[0]?.meanRate).toBeNull();
    const rows = rankYear(new Map([[2020, [cell('TN-Z', null), cell('TN-Y', 5)]]]), [2020], 2020);
    expect(rows.map((row) => row.code)).toEqual(['TN-Y', 'TN-Z']);
    expect(rankYear(byYear, years, 2015)).toEqual([]);
  });

  it('says nothing for a change against a rate of 0', () => {
    const rows = rankYear(
      new Map([
        [1, [cell('X', 0)]],
        [2, [cell('X', 5)]],
      ]),
      [1, 2],
      2,
    );
    expect(rows[0]?.changePct).toBeNull();
  });
});

describe('rate classes', () => {
  it('quintile breaks over 0..100 split it in fifths', () => {
    const rates = Array.from({ length: 101 }, (_, i) => i);
    expect(rateBreaks(rates)).toEqual([20, 40, 60, 80]);
    expect(rateClass(0, [20, 40, 60, 80])).toBe(0);
    expect(rateClass(20, [20, 40, 60, 80])).toBe(1);
    expect(rateClass(100, [20, 40, 60, 80])).toBe(4);
    expect(rateColour(100, [20, 40, 60, 80])).toBe(RATE_COLOURS[4]);
    expect(rateColour(null, [20, 40, 60, 80])).toBe(NO_RATE_COLOUR);
  });

  it('merges equal quantiles and still uses both ends of the ramp', () => {
    const breaks = rateBreaks([5, 5, 5, 5, 9]);
    expect(breaks).toHaveLength(2);
    expect(breaks[0]).toBe(5);
    expect(breaks[1]).toBeCloseTo(5.8, 10);
    expect(rateColour(1, breaks)).toBe(RATE_COLOURS[0]);
    expect(rateColour(9, breaks)).toBe(RATE_COLOURS[4]);
    expect(rateBreaks([])).toEqual([]);
  });
});

describe('yearFills', () => {
  it('gives a district that reported with its parent the parent figure, marked borrowed', () => {
    const cells = [
      cell('TN-VLR', 50, { name: 'Vellore', carries: ['TN-RPT', 'TN-TPT'] }),
      cell('TN-RPT', null, { name: 'Ranipet' }),
      cell('TN-TPT', 70, { name: 'Tirupathur' }),
      cell('TN-RLY', 3, { kind: 'statewide', name: 'Railway police' }),
    ];
    const fills = yearFills(
      cells,
      [60],
      (rate) => `${rate} per 100,000`,
      (code) => `name of ${code}`,
    );
    expect(fills.get('TN-VLR')).toEqual({
      colour: RATE_COLOURS[0],
      label: 'Vellore: 50 per 100,000',
      borrowed: false,
    });
    expect(fills.get('TN-RPT')).toEqual({
      colour: RATE_COLOURS[0],
      label: 'name of TN-RPT: reported with Vellore, 50 per 100,000',
      borrowed: true,
    });
    // A district with a figure of its own keeps it.
    expect(fills.get('TN-TPT')?.borrowed).toBe(false);
    expect(fills.has('TN-RLY')).toBe(false);
  });
});
