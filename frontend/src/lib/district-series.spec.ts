import { describe, expect, it } from 'vitest';
import {
  addDays,
  buildDistrictSeries,
  daySpan,
  formatDay,
  localDay,
  observedRange,
  startOfLocalDay,
} from './district-series';

const IST = 'Asia/Kolkata';

describe('local days', () => {
  it('reads the day in the region zone, not UTC', () => {
    // 2024-03-11T19:00Z is 00:30 on 12 March in India.
    expect(localDay(Date.parse('2024-03-11T19:00:00Z'), IST)).toBe('2024-03-12');
    expect(localDay(Date.parse('2024-03-11T18:29:59Z'), IST)).toBe('2024-03-11');
  });

  it('moves across month and leap-year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(daySpan('2024-02-27', '2024-03-01')).toEqual([
      '2024-02-27',
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(daySpan('2024-03-02', '2024-03-01')).toEqual([]);
  });

  it('finds local midnight as an instant', () => {
    expect(new Date(startOfLocalDay('2024-03-12', IST)).toISOString()).toBe('2024-03-11T18:30:00.000Z');
    expect(new Date(startOfLocalDay('2024-03-10', 'America/New_York')).toISOString()).toBe(
      '2024-03-10T05:00:00.000Z',
    );
    expect(new Date(startOfLocalDay('2024-03-11', 'America/New_York')).toISOString()).toBe(
      '2024-03-11T04:00:00.000Z',
    );
  });

  it('asks for the last 28 local days, today included', () => {
    const range = observedRange(Date.parse('2024-03-11T19:00:00Z'), IST);
    expect(range).toEqual({
      fromDay: '2024-02-14',
      toDay: '2024-03-12',
      from: '2024-02-13T18:30:00.000Z',
      to: '2024-03-11T19:00:00.000Z',
    });
  });

  it('labels a local day without shifting it', () => {
    expect(formatDay('2024-03-12')).toBe('Tue, 12 Mar');
    expect(formatDay('2024-03-12', false)).toBe('12 Mar');
  });
});

describe('buildDistrictSeries', () => {
  it('fills days without events with 0 and aligns the forecast after them', () => {
    const series = buildDistrictSeries({
      fromDay: '2024-03-09',
      toDay: '2024-03-12',
      observed: [
        { day: '2024-03-10', total: 4 },
        { day: '2024-03-12', total: 2 },
        { day: '2024-03-01', total: 99 },
      ],
      forecast: [
        { day: '2024-03-13', point: 5, lower: 3, upper: 8 },
        { day: '2024-03-12', point: 4.5, lower: 2, upper: 7 },
      ],
    });
    expect(series.observed).toEqual([
      { day: '2024-03-09', total: 0 },
      { day: '2024-03-10', total: 4 },
      { day: '2024-03-11', total: 0 },
      { day: '2024-03-12', total: 2 },
    ]);
    expect(series.forecast.map((f) => f.day)).toEqual(['2024-03-12', '2024-03-13']);
    expect(series.today).toBe('2024-03-12');
    expect(series.days).toEqual([
      { day: '2024-03-09', observed: 0, point: null, lower: null, upper: null },
      { day: '2024-03-10', observed: 4, point: null, lower: null, upper: null },
      { day: '2024-03-11', observed: 0, point: null, lower: null, upper: null },
      { day: '2024-03-12', observed: 2, point: 4.5, lower: 2, upper: 7 },
      { day: '2024-03-13', observed: null, point: 5, lower: 3, upper: 8 },
    ]);
  });

  it('leaves gaps in the forecast as gaps and drops non-finite entries', () => {
    const series = buildDistrictSeries({
      fromDay: '2024-03-12',
      toDay: '2024-03-12',
      observed: [],
      forecast: [
        { day: '2024-03-15', point: 1, lower: 0, upper: 2 },
        { day: '2024-03-13', point: Number.NaN, lower: 0, upper: 2 },
        { day: 'garbage', point: 1, lower: 0, upper: 2 },
      ],
    });
    expect(series.days.map((d) => [d.day, d.observed, d.point])).toEqual([
      ['2024-03-12', 0, null],
      ['2024-03-13', null, null],
      ['2024-03-14', null, null],
      ['2024-03-15', null, 1],
    ]);
  });

  it('keeps the observed days when there is no forecast', () => {
    const series = buildDistrictSeries({
      fromDay: '2024-03-11',
      toDay: '2024-03-12',
      observed: [{ day: '2024-03-11', total: 3 }],
      forecast: [],
    });
    expect(series.forecast).toEqual([]);
    expect(series.days.map((d) => d.observed)).toEqual([3, 0]);
  });
});
