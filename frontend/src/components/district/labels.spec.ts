import { describe, expect, it } from 'vitest';
import {
  categoryLabel,
  describeChange,
  featureLabel,
  formatCardValue,
  formatProbability,
  humanKey,
} from './labels';

describe('featureLabel', () => {
  it('says the model feature names in words', () => {
    expect(featureLabel('crime_property.change_28d')).toBe('Property crime: change, 28 days vs previous 28');
    expect(featureLabel('road_accident.count_7d')).toBe('Road accidents: count, 7 days');
    expect(featureLabel('incidents.rate_365d')).toBe('All incidents: rate per 100k, 365 days');
    expect(featureLabel('accidents.killed_per_accident_28d')).toBe(
      'Road casualties: killed per accident, 28 days',
    );
    expect(featureLabel('accidents.injured_rate_365d')).toBe('Road casualties: injured per 100k, 365 days');
    expect(featureLabel('accidents.killed_365d')).toBe('Road casualties: killed, 365 days');
    expect(featureLabel('mix.body_share_365d')).toBe('Mix: body crime share, 365 days');
    expect(featureLabel('socio.literacy_rate')).toBe('Literacy rate');
    expect(featureLabel('suicide.surprise_24h')).toBe('Suicide: surprise in 24 h vs usual');
  });

  it('keeps unknown names readable', () => {
    expect(featureLabel('trend.slope_weekly')).toBe('trend: slope weekly');
    expect(featureLabel('bare_name')).toBe('bare name');
    expect(categoryLabel('new_kind')).toBe('new kind');
  });
});

describe('describeChange', () => {
  it('says the direction in words', () => {
    expect(describeChange(12, 10, 20)).toEqual({ direction: 'up', text: 'up 20.0%' });
    expect(describeChange(9, 10, -10)).toEqual({ direction: 'down', text: 'down 10.0%' });
    expect(describeChange(10, 10, 0)).toEqual({ direction: 'same', text: 'no change' });
  });

  it('handles a previous count of 0', () => {
    expect(describeChange(3, 0, null).direction).toBe('new');
    expect(describeChange(0, 0, null).direction).toBe('none');
  });
});

describe('formatProbability', () => {
  it('reads small tail probabilities', () => {
    expect(formatProbability(0.62)).toBe('62%');
    expect(formatProbability(0.031)).toBe('3.1%');
    expect(formatProbability(0.003)).toBe('0.30%');
    expect(formatProbability(1e-9)).toBe('< 0.01%');
  });
});

describe('model card text', () => {
  it('says camelCase keys in words', () => {
    expect(humanKey('validationCountMae')).toBe('Validation count MAE');
    expect(humanKey('k')).toBe('k');
    expect(humanKey('forestOutOfBag')).toBe('Forest out of bag');
    expect(humanKey('epochs_run')).toBe('Epochs run');
  });

  it('formats values: instants in IST, integers grouped, decimals short', () => {
    expect(formatCardValue('2024-03-11T19:05:00.000Z', 'Asia/Kolkata')).toBe('12 Mar 2024, 00:35 IST');
    expect(formatCardValue(1234567, 'Asia/Kolkata')).toBe('12,34,567');
    expect(formatCardValue(0.123456, 'Asia/Kolkata')).toBe('0.123');
    expect(formatCardValue(12.3456, 'Asia/Kolkata')).toBe('12.35');
    expect(formatCardValue(null, 'Asia/Kolkata')).toBe('—');
    expect(formatCardValue('prophet', 'Asia/Kolkata')).toBe('prophet');
  });
});
