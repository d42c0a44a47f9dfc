import { told } from './grouping.js';
import { FLAP_WINDOW_MS } from './lifecycle.js';
import { isOpen, type AlertRecord } from './record.js';

/**
 * The engine's memory of the alerts of the groups it writes: the open ones, the resolved ones whose
 * resolution is still to tell, and when each fingerprint fired within the flap window. Pure state: the
 * engine stores a change first and then remembers what was stored.
 */
export class AlertBook {
  private readonly alerts = new Map<string, AlertRecord>();
  private readonly firings = new Map<string, number[]>();

  current(fingerprint: string): AlertRecord | undefined {
    return this.alerts.get(fingerprint);
  }

  /** A new watched value with no transition: kept in memory, stored with the alert's next change. */
  keepValue(alert: AlertRecord): void {
    this.alerts.set(alert.fingerprint, alert);
  }

  /** A stored alert: kept while open or while its resolution is untold, dropped otherwise. */
  remember(alert: AlertRecord): void {
    if (isOpen(alert) || (alert.notified.firing && !alert.notified.resolved && told(alert))) {
      this.alerts.set(alert.fingerprint, alert);
    } else if (this.alerts.get(alert.fingerprint)?.id === alert.id) {
      this.alerts.delete(alert.fingerprint);
    }
  }

  /** Another writer changed the fingerprint's alert: its open stored row (or nothing) replaces ours. */
  reloaded(fingerprint: string, fresh: AlertRecord | undefined): void {
    if (fresh === undefined) this.alerts.delete(fingerprint);
    else this.alerts.set(fingerprint, fresh);
  }

  /** The fingerprint's episode fired at `at`. */
  fired(fingerprint: string, at: number): void {
    this.firings.set(fingerprint, [...this.recentFirings(fingerprint, at), at]);
  }

  recentFirings(fingerprint: string, now: number): number[] {
    return (this.firings.get(fingerprint) ?? []).filter((at) => now - at < FLAP_WINDOW_MS);
  }

  /** Alerts read back at a takeover (recent episodes included): their firings, and those still to watch or tell. */
  adopt(stored: readonly AlertRecord[]): void {
    for (const alert of stored) {
      if (alert.firedAt !== null)
        this.firings.set(alert.fingerprint, [...(this.firings.get(alert.fingerprint) ?? []), alert.firedAt]);
      if (isOpen(alert) || (alert.notified.firing && !alert.notified.resolved))
        this.alerts.set(alert.fingerprint, alert);
    }
  }

  /** A district given up: its alerts are another writer's now. */
  forget(district: string): void {
    for (const [fingerprint, alert] of this.alerts)
      if (alert.labels.district === district) this.alerts.delete(fingerprint);
  }

  /** The group's alerts: open, and resolved with a resolution to tell. */
  membersOf(district: string): AlertRecord[] {
    return [...this.alerts.values()].filter((a) => a.labels.district === district);
  }

  openIn(districts: readonly string[]): AlertRecord[] {
    const wanted = new Set(districts);
    return [...this.alerts.values()].filter((a) => isOpen(a) && wanted.has(a.labels.district));
  }

  /** Open alerts by state (the metrics' alert gauge). */
  openByState(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const alert of this.alerts.values()) {
      if (isOpen(alert)) counts[alert.state] = (counts[alert.state] ?? 0) + 1;
    }
    return counts;
  }

  get openCount(): number {
    return [...this.alerts.values()].filter(isOpen).length;
  }
}
