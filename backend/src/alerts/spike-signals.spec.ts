import { describe, expect, it } from 'vitest';
import { surpriseText } from './spike-signals.js';

describe('surpriseText', () => {
  it('says the spike score as odds', () => {
    expect(surpriseText(0.1)).toBe('not unusual (tail probability above 0.67)');
    expect(surpriseText(1)).toBe('tail probability 1 in 10');
    expect(surpriseText(3.4)).toBe('tail probability 1 in 2,500');
    expect(surpriseText(Number.POSITIVE_INFINITY)).toBe('outside anything the forecast allows');
  });
});
