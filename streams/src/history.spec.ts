import { describe, expect, it } from 'vitest';
import { parseHistoryDataset } from './history.js';

const valid = {
  formatVersion: 1,
  region: 'TN',
  years: [2001, 2002],
  missingYears: [],
  populationBasis: 'census 2011',
  rules: ['none'],
  sources: [{ id: 's1', file: 'ncrb/a.csv', description: 'a' }],
  heads: [
    {
      code: 'ipc_total',
      label: 'IPC',
      group: 'ipc',
      measure: 'cases',
      description: 'all',
      sources: ['s1', null],
    },
  ],
  units: [
    {
      code: 'TN-AAA',
      name: 'A',
      kind: 'district',
      census: null,
      firstYear: 2001,
      population: [100, null],
      estimated: [false, false],
      carries: [[], []],
      note: '',
    },
  ],
  values: [[[3, null]]],
};

describe('parseHistoryDataset', () => {
  it('accepts a file whose arrays line up', () => {
    expect(parseHistoryDataset(valid, 'h.json').values).toEqual([[[3, null]]]);
  });

  it('names the file and the problem otherwise', () => {
    expect(() => parseHistoryDataset({ ...valid, formatVersion: 2 }, 'h.json')).toThrow(
      /^invalid history file h\.json: formatVersion/,
    );
    expect(() => parseHistoryDataset({ ...valid, values: [[[3]]] }, 'h.json')).toThrow(
      'invalid history file h.json: unit TN-AAA head ipc_total: 1 values for 2 years',
    );
    const badSource = { ...valid, heads: [{ ...valid.heads[0], sources: ['s9', null] }] };
    expect(() => parseHistoryDataset(badSource, 'h.json')).toThrow('head ipc_total: unknown source s9');
    expect(() => parseHistoryDataset({ ...valid, values: [[[-1, null]]] }, 'h.json')).toThrow(/values/);
  });
});
