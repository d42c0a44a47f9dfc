import type { Alert, AlertNotification } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { AlertActionError } from './alert-action.error.js';
import { AlertWriter, type AlertWrites } from './alert-writer.js';
import type { WriteResult } from './alert.repository.js';
import { AlertBook } from './engine/alert-book.js';
import { GroupTimers } from './engine/group-timers.js';
import { acknowledge } from './engine/lifecycle.js';
import { T0, alertRecord } from './engine/record.fixture.js';
import type { AlertRecord } from './engine/record.js';

const TIMING = { waitMs: 0, intervalMs: 60_000, repeatMs: 3_600_000 };

/** An in-memory repository: rows by id with a version, a stale write refused; notifications by key. */
function repository() {
  const rows = new Map<string, AlertRecord>();
  const keys = new Set<string>();
  const audit: string[] = [];
  const fake: AlertWrites = {
    write: (alert, lines) => {
      const stored = rows.get(alert.id);
      if (stored !== undefined && stored.version !== alert.version)
        return Promise.resolve<WriteResult>({ ok: false });
      const written = { ...alert, version: alert.version + 1 };
      rows.set(alert.id, written);
      audit.push(...lines.map((line) => line.action));
      return Promise.resolve<WriteResult>({ ok: true, alert: written });
    },
    openByFingerprint: (fingerprint) =>
      Promise.resolve(
        [...rows.values()].find((a) => a.fingerprint === fingerprint && a.state !== 'resolved'),
      ),
    byId: (id) => Promise.resolve(rows.get(id)),
    storeNotification: (_id, _district, planned) => {
      const alerts: AlertRecord[] = [];
      for (const alert of planned.alerts) {
        const stored = rows.get(alert.id);
        if (stored !== undefined && stored.version !== alert.version) return Promise.resolve(null);
        const written = { ...alert, version: alert.version + 1 };
        rows.set(alert.id, written);
        alerts.push(written);
      }
      const fresh = !keys.has(planned.idempotencyKey);
      keys.add(planned.idempotencyKey);
      return Promise.resolve({ stored: fresh, alerts });
    },
  };
  return { fake, rows, audit };
}

function writer() {
  const repo = repository();
  const pushed: Alert[] = [];
  const notified: AlertNotification[] = [];
  const warnings: string[] = [];
  const book = new AlertBook();
  const groups = new GroupTimers(() => undefined);
  const instance = new AlertWriter(
    repo.fake,
    { publishAlerts: (alerts) => pushed.push(...alerts), notify: (n) => notified.push(n) },
    book,
    groups,
    TIMING,
    { warn: (message: string) => warnings.push(message) },
  );
  return { instance, repo, pushed, notified, warnings, book, groups };
}

describe('AlertWriter', () => {
  it('stores a step with its audit lines, remembers it, counts its firing, then pushes it', async () => {
    const { instance, repo, pushed, book } = writer();
    const alert = alertRecord('a1', { version: 0, updatedAt: T0 });
    await instance.store({ alert, transitions: [{ action: 'alert.firing', reason: 'over' }] });
    expect(repo.audit).toEqual(['alert.firing']);
    expect(book.current(alert.fingerprint)?.version).toBe(1);
    expect(book.recentFirings(alert.fingerprint, T0)).toEqual([T0]);
    expect(pushed.map((a) => a.id)).toEqual(['a1']);
  });

  it('reloads an alert another writer changed, and pushes nothing', async () => {
    const { instance, repo, pushed, book, warnings } = writer();
    const theirs = alertRecord('a1', { version: 5, acknowledgedBy: 'asha' });
    repo.rows.set('a1', theirs);
    await instance.store({
      alert: alertRecord('a1', { version: 4 }),
      transitions: [{ action: 'x', reason: 'y' }],
    });
    expect(book.current(theirs.fingerprint)?.acknowledgedBy).toBe('asha');
    expect(pushed).toEqual([]);
    expect(warnings).toEqual([`alert ${theirs.fingerprint} changed under this writer; reloading it`]);
  });

  it("applies an operator's action to the stored alert: 404 without it, 409 when it moved", async () => {
    const { instance, repo } = writer();
    await expect(instance.act('nope', (a) => acknowledge(a, 'asha', 'on it', T0))).rejects.toMatchObject({
      status: 404,
    });
    repo.rows.set('a1', alertRecord('a1', { version: 1 }));
    const written = await instance.act('a1', (a) => acknowledge(a, 'asha', 'on it', T0));
    expect(written).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'asha', version: 2 });
    expect(repo.audit).toEqual(['alert.acknowledged']);
    const moved = instance.act('a1', (a) => ({ alert: { ...a, version: 0 }, transitions: [] }));
    await expect(moved).rejects.toBeInstanceOf(AlertActionError);
    await expect(moved).rejects.toMatchObject({ status: 409 });
  });

  it('sends a due group once (idempotency key), remembers what was told, and sets no timer when stopping', async () => {
    const { instance, repo, notified, book, groups } = writer();
    const firing = alertRecord('a1', {
      version: 1,
      notified: { firing: false, resolved: false, level: 0 },
      dueSince: T0,
    });
    repo.rows.set('a1', firing);
    book.remember(firing);
    await instance.sendGroups(['TN-CHN', 'TN-CHN'], new Map(), T0, true);
    expect(notified.map((n) => [n.kind, n.district, n.alerts.map((a) => a.id)])).toEqual([
      ['firing', 'TN-CHN', ['a1']],
    ]);
    expect(book.current(firing.fingerprint)?.notified.firing).toBe(true);
    expect(groups.lastSentAt('TN-CHN')).toBe(T0);
    await instance.sendGroups(['TN-CHN'], new Map(), T0 + 1_000, false);
    expect(notified).toHaveLength(1);
    expect(groups.pending).toBe(0);
  });

  it('sends nothing when an alert of the notification changed meanwhile, and reads it again', async () => {
    const { instance, repo, notified, book, warnings } = writer();
    const mine = alertRecord('a1', {
      version: 1,
      notified: { firing: false, resolved: false, level: 0 },
      dueSince: T0,
    });
    book.remember(mine);
    repo.rows.set('a1', { ...mine, version: 3, state: 'acknowledged' });
    await instance.sendGroups(['TN-CHN'], new Map(), T0, false);
    expect(notified).toEqual([]);
    expect(warnings).toEqual(['a notification of TN-CHN was not sent: an alert in it changed meanwhile']);
    expect(book.current(mine.fingerprint)?.state).toBe('acknowledged');
  });
});
