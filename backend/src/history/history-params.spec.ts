import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { parseHead, parseYear, ratePer100k } from './history-params.js';

const shape = {
  years: [2013, 2014, 2016],
  missingYears: [{ year: 2015, reason: 'no table of 2015' }],
  heads: [{ code: 'ipc_total' }, { code: 'women_total' }],
};

describe('history parameters', () => {
  it('takes a known head and names the known ones otherwise', () => {
    expect(parseHead('women_total', shape)).toBe('women_total');
    expect(() => parseHead(undefined, shape)).toThrow('head: required, one of ipc_total, women_total');
    expect(() => parseHead('murder', shape)).toThrow(BadRequestException);
    expect(() => parseHead('murder', shape)).toThrow(
      'head: unknown head "murder"; one of ipc_total, women_total',
    );
  });

  it('takes a year of the data; says why a missing year has none', () => {
    expect(parseYear('2016', shape)).toBe(2016);
    expect(() => parseYear(undefined, shape)).toThrow('year: required, a year in 2013-2016');
    expect(() => parseYear('2016.5', shape)).toThrow('year: "2016.5" is not a four-digit year');
    expect(() => parseYear('2015', shape)).toThrow('year: 2015 has no figures (no table of 2015)');
    expect(() => parseYear('2012', shape)).toThrow('year: 2012 is outside the history (2013-2016)');
  });

  it('rates per 100,000 with two decimals, null without a count or a population', () => {
    expect(ratePer100k(5597, 2_159_775)).toBe(259.15);
    expect(ratePer100k(0, 1000)).toBe(0);
    expect(ratePer100k(null, 1000)).toBeNull();
    expect(ratePer100k(10, null)).toBeNull();
  });
});
