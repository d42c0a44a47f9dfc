import { describe, expect, it } from 'vitest';
import type { LabelMatcher, UserInfo } from '@district-monitor/streams';
import { silenceReach, silenceVisible, silenceWithin } from './scope.js';

const GROUPS = ['TN-CHN', 'TN-MDU', 'TN-MDR', 'TN'];
const user = (districts: string[] | null): UserInfo => ({
  id: 'u1',
  username: 'it',
  role: 'operator',
  districts,
  createdAt: '2024-01-01T00:00:00.000Z',
});
const m = (label: LabelMatcher['label'], op: LabelMatcher['op'], value: string): LabelMatcher => ({
  label,
  op,
  value,
});

describe('silence scope', () => {
  it('reaches exactly the groups its district matchers let through', () => {
    expect(silenceReach([m('district', '=', 'TN-MDU')], GROUPS)).toEqual(['TN-MDU']);
    expect(silenceReach([m('district', '=~', 'TN-MD.')], GROUPS)).toEqual(['TN-MDU', 'TN-MDR']);
    expect(silenceReach([m('district', '!=', 'TN-MDU')], GROUPS)).toEqual(['TN-CHN', 'TN-MDR', 'TN']);
    expect(silenceReach([m('severity', '=~', '.*')], GROUPS)).toEqual(GROUPS);
    expect(silenceReach([m('district', '=', 'TN-MDU'), m('district', '=', 'TN-CHN')], GROUPS)).toEqual([]);
  });

  it('lets a scoped user create only silences confined to its districts', () => {
    const mdu = user(['TN-MDU']);
    expect(silenceWithin(mdu, [m('district', '=', 'TN-MDU'), m('severity', '=~', '.*')], GROUPS)).toBe(true);
    expect(silenceWithin(mdu, [m('district', '=', 'TN-CHN')], GROUPS)).toBe(false);
    expect(silenceWithin(mdu, [m('severity', '=~', '.*')], GROUPS)).toBe(false);
    expect(silenceWithin(mdu, [m('district', '=~', 'TN-MD.')], GROUPS)).toBe(false);
    expect(silenceWithin(user(['TN-MDU', 'TN-MDR']), [m('district', '=~', 'TN-MD.')], GROUPS)).toBe(true);
    expect(silenceWithin(user(null), [m('severity', '=~', '.*')], GROUPS)).toBe(true);
  });

  it("shows a scoped user its districts' silences and region-wide ones, not other districts'", () => {
    const mdu = user(['TN-MDU']);
    expect(silenceVisible(mdu, [m('district', '=', 'TN-MDU')], GROUPS)).toBe(true);
    expect(silenceVisible(mdu, [m('severity', '=', 'high')], GROUPS)).toBe(true);
    expect(silenceVisible(mdu, [m('district', '=', 'TN-CHN')], GROUPS)).toBe(false);
    expect(silenceVisible(mdu, [m('district', '=~', 'TN-(MDU|CHN)')], GROUPS)).toBe(false);
  });
});
