import { describe, expect, it } from 'vitest';
import { AlertBook } from './alert-book.js';
import { FLAP_WINDOW_MS } from './lifecycle.js';
import { T0, alertRecord } from './record.fixture.js';

const MIN = 60_000;
const inDistrict = (district: string) => ({
  rule: 'rule',
  kind: 'risk' as const,
  district,
  category: '*' as const,
  severity: 'high' as const,
});

describe('AlertBook', () => {
  it('keeps open alerts and untold resolutions, and drops a resolution once told', () => {
    const book = new AlertBook();
    const open = alertRecord('a1');
    book.remember(open);
    expect(book.current(open.fingerprint)).toBe(open);
    const resolvedUntold = { ...open, state: 'resolved' as const, resolvedAt: T0 + MIN };
    book.remember(resolvedUntold);
    expect(book.current(open.fingerprint)).toBe(resolvedUntold);
    expect(book.openCount).toBe(0);
    book.remember({ ...resolvedUntold, notified: { firing: true, resolved: true, level: 0 } });
    expect(book.current(open.fingerprint)).toBeUndefined();
  });

  it('drops a resolution that will never be told (silenced), and never drops a newer episode', () => {
    const book = new AlertBook();
    const silenced = { ...alertRecord('a1'), state: 'resolved' as const, silencedBy: ['s1'] };
    book.remember(alertRecord('a1'));
    book.remember(silenced);
    expect(book.current(silenced.fingerprint)).toBeUndefined();
    const newer = alertRecord('a2');
    book.remember(newer);
    book.remember({ ...silenced, notified: { firing: true, resolved: true, level: 0 } });
    expect(book.current(newer.fingerprint)?.id).toBe('a2');
  });

  it('counts firings within the flap window only', () => {
    const book = new AlertBook();
    book.fired('f', T0);
    book.fired('f', T0 + 10 * MIN);
    expect(book.recentFirings('f', T0 + 20 * MIN)).toEqual([T0, T0 + 10 * MIN]);
    expect(book.recentFirings('f', T0 + FLAP_WINDOW_MS + MIN)).toEqual([T0 + 10 * MIN]);
    book.fired('f', T0 + FLAP_WINDOW_MS + MIN);
    expect(book.recentFirings('f', T0 + FLAP_WINDOW_MS + MIN)).toEqual([
      T0 + 10 * MIN,
      T0 + FLAP_WINDOW_MS + MIN,
    ]);
  });

  it('adopts stored alerts with their firings, and forgets a district given up', () => {
    const book = new AlertBook();
    const chennai = alertRecord('a1');
    const madurai = alertRecord('a2', { labels: inDistrict('TN-MDU'), state: 'pending', firedAt: null });
    const told = {
      ...alertRecord('a3', { labels: { ...inDistrict('TN-MDU'), rule: 'other' } }),
      state: 'resolved' as const,
    };
    book.adopt([chennai, madurai, { ...told, notified: { firing: true, resolved: true, level: 0 } }]);
    expect(book.recentFirings(chennai.fingerprint, T0)).toEqual([T0]);
    expect(book.recentFirings(madurai.fingerprint, T0)).toEqual([]);
    expect(book.recentFirings(told.fingerprint, T0)).toEqual([T0]);
    expect(book.membersOf('TN-MDU').map((a) => a.id)).toEqual(['a2']);
    expect(book.openByState()).toEqual({ firing: 1, pending: 1 });
    book.forget('TN-CHN');
    expect(book.openIn(['TN-CHN', 'TN-MDU']).map((a) => a.id)).toEqual(['a2']);
    expect(book.recentFirings(chennai.fingerprint, T0)).toEqual([T0]);
  });

  it('replaces an alert another writer changed by the stored row, or drops it', () => {
    const book = new AlertBook();
    const mine = alertRecord('a1');
    book.keepValue(mine);
    book.reloaded(mine.fingerprint, { ...mine, version: 2, acknowledgedBy: 'asha' });
    expect(book.current(mine.fingerprint)?.acknowledgedBy).toBe('asha');
    book.reloaded(mine.fingerprint, undefined);
    expect(book.current(mine.fingerprint)).toBeUndefined();
  });
});
