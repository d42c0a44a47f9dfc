import { describe, expect, it } from 'vitest';
import { BRANCH_SIZES, FUSION_INPUT_SIZE } from './index.js';

describe('branch vector sizes', () => {
  it('are 128 + 64 + 32 = 224, as the fusion network expects', () => {
    expect(BRANCH_SIZES).toEqual({ crimeStatistics: 128, trend: 64, profile: 32 });
    expect(FUSION_INPUT_SIZE).toBe(224);
  });
});
