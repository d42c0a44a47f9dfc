import type { CorrelationMatrix } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { correlationColour, describeR, formatR, heatmapModel, legendStops } from './heatmap';

describe('correlationColour', () => {
  it('diverges: blue for negative, red for positive, neutral at 0', () => {
    const negative = correlationColour(-1).background;
    const positive = correlationColour(1).background;
    const neutral = correlationColour(0).background;
    expect(negative).toBe('#4393c3');
    expect(positive).toBe('#d6604d');
    expect(neutral).toBe('#1a243a');
    // Symmetric in strength: the same distance from neutral for -r and r.
    expect(correlationColour(-0.5).background).not.toBe(correlationColour(0.5).background);
  });

  it('clamps out-of-range values and has a flat colour for missing ones', () => {
    expect(correlationColour(3).background).toBe(correlationColour(1).background);
    expect(correlationColour(null).background).toBe('#111a2e');
    expect(correlationColour(Number.NaN).background).toBe('#111a2e');
  });

  it('picks the more readable text colour', () => {
    expect(correlationColour(0).text).toBe('#e8eef8');
    expect(correlationColour(1).text).toBe('#070d19');
  });
});

describe('formatR and describeR', () => {
  it('writes r with a real minus sign and two decimals', () => {
    expect(formatR(0.4237)).toBe('0.42');
    expect(formatR(-0.129)).toBe('−0.13');
    expect(formatR(-0.001)).toBe('0.00');
    expect(formatR(null)).toBe('—');
  });

  it('says the strength in words', () => {
    expect(describeR(0.85)).toBe('very strong positive');
    expect(describeR(-0.45)).toBe('moderate negative');
    expect(describeR(0.1)).toBe('very weak positive');
    expect(describeR(0)).toBe('none');
    expect(describeR(null)).toBe('no value (a constant variable)');
  });
});

describe('heatmapModel', () => {
  const matrix: CorrelationMatrix = {
    source: 'live',
    basis: 'last 365 days',
    districts: 38,
    variables: [
      { key: 'literacy', label: 'Literacy', group: 'socioeconomic' },
      { key: 'crime_body', label: 'Body', group: 'crime' },
      { key: 'killed', label: 'Killed', group: 'accident' },
      { key: 'crime_property', label: 'Property', group: 'crime' },
    ],
    values: [
      [1, -0.3, 0.1, null],
      [-0.3, 1, 0.5, 0.7],
      [0.1, 0.5, 1, 0.2],
      [null, 0.7, 0.2],
    ],
  };

  it('orders variables by group and keeps the server order within a group', () => {
    const model = heatmapModel(matrix);
    expect(model.columns.map((c) => c.key)).toEqual(['crime_body', 'crime_property', 'killed', 'literacy']);
    expect(model.groups).toEqual([
      { group: 'crime', label: 'Crime', span: 2 },
      { group: 'accident', label: 'Road accidents', span: 1 },
      { group: 'socioeconomic', label: 'Socioeconomic', span: 1 },
    ]);
  });

  it('maps every cell to the right r, null for missing or ragged values', () => {
    const model = heatmapModel(matrix);
    const row = (key: string) => model.rows.find((r) => r.variable.key === key);
    expect(row('crime_body')?.cells.map((c) => c.r)).toEqual([1, 0.7, 0.5, -0.3]);
    expect(row('crime_property')?.cells.map((c) => c.r)).toEqual([0.7, null, 0.2, null]);
    expect(row('literacy')?.cells.map((c) => c.text)).toEqual(['−0.30', '—', '0.10', '1.00']);
    expect(row('crime_body')?.cells[0]?.self).toBe(true);
    expect(row('crime_body')?.cells[1]?.description).toBe('Body and Property: r = 0.70, strong positive');
  });

  it('has a legend from -1 to 1', () => {
    const stops = legendStops(5);
    expect(stops.map((s) => s.r)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(stops[0]?.colour).toBe('#4393c3');
  });
});
