import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { missingYears, yearlyGrid } from './yearly.js';

describe('yearlyGrid', () => {
  it('fills a missing year with the mean of its neighbours, and two missing years by thirds', () => {
    expect(yearlyGrid([2013, 2014, 2016], [10, 20, 40])).toEqual({
      years: [2013, 2014, 2015, 2016],
      values: [10, 20, 30, 40],
      filled: [2015],
    });
    const two = yearlyGrid([2000, 2003], [0, 3]);
    expect(two.years).toEqual([2000, 2001, 2002, 2003]);
    expect(two.values[1]).toBeCloseTo(1, 12);
    expect(two.values[2]).toBeCloseTo(2, 12);
  });

  it('keeps a regular series as it is', () => {
    expect(yearlyGrid([2001, 2002], [5, 6])).toEqual({ years: [2001, 2002], values: [5, 6], filled: [] });
  });

  it.each([
    [[2001, 2001], [1, 2], /strictly ascending/],
    [[2001, 2002], [1], /2 years but 1 values/],
    [[2001.5], [1], /not a whole number/],
    [[2001], [Number.NaN], /not finite/],
    [[], [], /no years/],
  ])('refuses %j / %j', (years, values, message) => {
    expect(() => yearlyGrid(years, values)).toThrow(ModelInputError);
    expect(() => yearlyGrid(years, values)).toThrow(message);
  });
});

describe('missingYears', () => {
  it('names the years inside the range without data', () => {
    expect(missingYears([2001, 2002, 2004, 2007])).toEqual([2003, 2005, 2006]);
    expect(missingYears([2020])).toEqual([]);
  });
});
