import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type { AlertRule } from '@district-monitor/streams';
import { metrics } from '../metrics/metrics.js';
import { AlertActionError } from './alert-action.error.js';
import type { AlertPublisher } from './alert-publisher.js';
import type { AlertRepository } from './alert.repository.js';
import type { AlertBook } from './engine/alert-book.js';
import { auditOf } from './engine/evaluation.js';
import type { GroupTimers } from './engine/group-timers.js';
import { notificationOf, planGroup, type GroupTiming } from './engine/grouping.js';
import type { Step, Transition } from './engine/lifecycle.js';
import { toWire, type AlertRecord } from './engine/record.js';

/** What the writer needs of the alert repository. */
export type AlertWrites = Pick<AlertRepository, 'write' | 'openByFingerprint' | 'byId' | 'storeNotification'>;

/**
 * Writes the alert engine's decisions: every step is stored with its audit lines before it is pushed,
 * and every notification a group has due is stored once in the outbox before delivery gets it. What
 * was stored goes into the engine's book. Not a provider: the engine owns it and calls it from its
 * work queue only, one call at a time.
 */
export class AlertWriter {
  constructor(
    private readonly repository: AlertWrites,
    private readonly publisher: AlertPublisher,
    private readonly book: AlertBook,
    private readonly groups: GroupTimers,
    private readonly timing: GroupTiming,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** One step of the engine, stored (and pushed) before it counts. */
  async store(stepped: Step): Promise<void> {
    const { alert } = stepped;
    const written = await this.repository.write(alert, auditOf(alert, stepped.transitions));
    if (!written.ok) {
      // Another writer (an operator on another replica, or a previous owner) changed it: read it again.
      this.logger.warn(`alert ${alert.fingerprint} changed under this writer; reloading it`);
      this.book.reloaded(alert.fingerprint, await this.repository.openByFingerprint(alert.fingerprint));
      return;
    }
    countTransitions(stepped.transitions);
    if (stepped.transitions.some((t) => t.action === 'alert.firing'))
      this.book.fired(alert.fingerprint, alert.updatedAt);
    this.book.remember(written.alert);
    // Pushed at once: a firing alert does not wait for the rest of the round (e.g. many resolutions).
    this.publisher.publishAlerts([toWire(written.alert)]);
  }

  /** An operator's step on the stored alert, guarded by its version (404 without it, 409 when it changed meanwhile). */
  async act(id: string, change: (alert: AlertRecord) => Step): Promise<AlertRecord> {
    const stored = await this.repository.byId(id);
    if (stored === undefined) throw new AlertActionError(`no alert ${id}`, 404);
    const stepped = change(stored);
    const written = await this.repository.write(stepped.alert, auditOf(stepped.alert, stepped.transitions));
    if (!written.ok)
      throw new AlertActionError(`alert ${id} changed meanwhile; read it again and retry`, 409);
    countTransitions(stepped.transitions);
    return written.alert;
  }

  /**
   * Sends what each district's group has due (engine/grouping.ts plans it), then sets the group's timer
   * for its next look (none when `timers` is false: the engine is stopping).
   */
  async sendGroups(
    districts: readonly string[],
    rules: ReadonlyMap<string, AlertRule>,
    now: number,
    timers: boolean,
  ): Promise<void> {
    for (const district of new Set(districts)) {
      const members = this.book.membersOf(district);
      const plan = planGroup(district, members, rules, this.groups.lastSentAt(district), this.timing, now);
      for (const planned of plan.notifications) {
        const notification = notificationOf(district, planned, randomUUID(), now);
        const result = await this.repository.storeNotification(
          notification.id,
          district,
          planned,
          notification,
        );
        if (result === null) {
          this.logger.warn(`a notification of ${district} was not sent: an alert in it changed meanwhile`);
          for (const alert of planned.alerts) {
            const fresh = await this.repository.byId(alert.id);
            if (fresh !== undefined) this.book.remember(fresh);
          }
          continue;
        }
        for (const alert of result.alerts) this.book.remember(alert);
        this.groups.sent(district, now);
        if (result.stored) {
          this.publisher.notify(notification);
          metrics.notifications.inc({ kind: notification.kind });
        }
      }
      this.groups.schedule(district, timers ? plan.nextAt : null);
    }
  }
}

function countTransitions(transitions: readonly Transition[]): void {
  for (const transition of transitions) metrics.alertTransitions.inc({ action: transition.action });
}
