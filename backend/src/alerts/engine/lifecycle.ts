import type { AlertEvidence, AlertLabels, AlertRule } from '@district-monitor/streams';
import type { AlertRecord } from './record.js';

/** What a rule's condition says about one fingerprint at one evaluation. */
export interface Observation {
  /** The firing condition holds. */
  readonly active: boolean;
  /** The (lower) clear condition holds; a firing alert resolves only on this, after keep-firing-for. */
  readonly cleared: boolean;
  readonly value: number;
  readonly summary: string;
  /** Why the rule fires (spike rules): carried on the alert with the value. */
  readonly evidence?: AlertEvidence;
}

/** An audit line the step asks to write with the change (the actor is the engine unless said). */
export interface Transition {
  readonly action: string;
  readonly reason: string;
  readonly actor?: string;
}

export interface Step {
  readonly alert: AlertRecord;
  readonly transitions: readonly Transition[];
}

/** Firings of one fingerprint within this window make it flapping. */
export const FLAP_WINDOW_MS = 60 * 60_000;
export const FLAP_FIRINGS = 3;

export interface StepContext {
  readonly now: number;
  readonly labels: AlertLabels;
  readonly fingerprint: string;
  readonly newId: () => string;
  /** When this fingerprint's earlier episodes fired (flap detection). */
  readonly firings: readonly number[];
}

const flappingAt = (firings: readonly number[], now: number): boolean =>
  firings.filter((at) => now - at < FLAP_WINDOW_MS).length >= FLAP_FIRINGS;

/**
 * One evaluation of one fingerprint: pending on the way up (the rule's `for`), firing, and on the way
 * down resolved only once the clear condition has held for `keepFiringFor`. Returns null when nothing
 * changes but the watched value. `observation` null means the rule could not be evaluated (no model, no
 * history yet): the alert keeps its state.
 */
export function step(
  current: AlertRecord | undefined,
  observation: Observation | null,
  rule: AlertRule,
  context: StepContext,
): Step | null {
  const { now } = context;
  const open = current !== undefined && current.state !== 'resolved' ? current : undefined;
  if (observation === null) return null;

  if (open === undefined) {
    if (!observation.active) return null;
    const pending: AlertRecord = {
      id: context.newId(),
      fingerprint: context.fingerprint,
      labels: context.labels,
      state: 'pending',
      value: observation.value,
      summary: observation.summary,
      ...evidenceOf(observation),
      startedAt: now,
      firedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      clearSince: null,
      escalationLevel: 0,
      flapping: false,
      silencedBy: [],
      inhibitedBy: null,
      notified: { firing: false, resolved: false, level: 0 },
      dueSince: null,
      updatedAt: now,
      version: 0,
    };
    const transitions: Transition[] = [{ action: 'alert.pending', reason: observation.summary }];
    if (rule.forSeconds > 0) return { alert: pending, transitions };
    return { alert: fire(pending, context), transitions: [...transitions, firingTransition(observation)] };
  }

  const observed = {
    ...open,
    value: observation.value,
    summary: observation.summary,
    ...evidenceOf(observation),
  };
  if (open.state === 'pending') {
    if (!observation.active) {
      return {
        alert: resolve(observed, now),
        transitions: [{ action: 'alert.resolved', reason: 'the condition ended within the pending period' }],
      };
    }
    if (now - open.startedAt >= rule.forSeconds * 1000) {
      return { alert: fire(observed, context), transitions: [firingTransition(observation)] };
    }
    return valueOnly(open, observed);
  }

  // firing or acknowledged
  if (!observation.cleared) {
    if (open.clearSince === null) return valueOnly(open, observed);
    return {
      alert: { ...observed, clearSince: null, updatedAt: now },
      transitions: [
        { action: 'alert.clear_interrupted', reason: 'the condition rose above the clear threshold again' },
      ],
    };
  }
  const clearSince = open.clearSince ?? now;
  if (now - clearSince >= rule.keepFiringForSeconds * 1000) {
    return {
      alert: resolve({ ...observed, clearSince }, now),
      transitions: [
        {
          action: 'alert.resolved',
          reason:
            rule.keepFiringForSeconds > 0
              ? `below the clear threshold for ${rule.keepFiringForSeconds} s: ${observation.summary}`
              : `below the clear threshold: ${observation.summary}`,
        },
      ],
    };
  }
  if (open.clearSince !== null) return valueOnly(open, observed);
  return {
    alert: { ...observed, clearSince, updatedAt: now },
    transitions: [
      {
        action: 'alert.clearing',
        reason: `below the clear threshold; keeps firing for ${rule.keepFiringForSeconds} s unless it rises again`,
      },
    ],
  };
}

/** The escalation level due now: each level's `afterSeconds` counted from firing, until acknowledged. */
export function escalate(alert: AlertRecord, rule: AlertRule, now: number): Step | null {
  if (alert.state !== 'firing' || alert.firedAt === null) return null;
  const firedAt = alert.firedAt;
  let level = alert.escalationLevel;
  while (level + 1 < rule.escalation.length) {
    const next = rule.escalation[level + 1];
    if (next === undefined || now - firedAt < next.afterSeconds * 1000) break;
    level++;
  }
  if (level === alert.escalationLevel) return null;
  const name = rule.escalation[level]?.name ?? `level ${level}`;
  return {
    alert: { ...alert, escalationLevel: level, dueSince: alert.dueSince ?? now, updatedAt: now },
    transitions: [
      { action: 'alert.escalated', reason: `not acknowledged: escalated to ${name} (level ${level})` },
    ],
  };
}

/** An operator's acknowledgement: claims the alert and stops escalation; the alert stays visible. */
export function acknowledge(alert: AlertRecord, who: string, reason: string, now: number): Step {
  if (alert.state !== 'firing')
    throw new LifecycleError(`alert ${alert.id} is ${alert.state}: only a firing alert can be acknowledged`);
  return {
    alert: { ...alert, state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: who, updatedAt: now },
    transitions: [{ action: 'alert.acknowledged', reason, actor: who }],
  };
}

/** An operator resolves an alert by hand (the condition may fire it again as a new episode). */
export function resolveByHand(alert: AlertRecord, who: string, reason: string, now: number): Step {
  if (alert.state === 'resolved') throw new LifecycleError(`alert ${alert.id} is already resolved`);
  return { alert: resolve(alert, now), transitions: [{ action: 'alert.resolved', reason, actor: who }] };
}

/** An operator escalates by hand to the next level. */
export function escalateByHand(
  alert: AlertRecord,
  rule: AlertRule,
  who: string,
  reason: string,
  now: number,
): Step {
  if (alert.state !== 'firing' && alert.state !== 'acknowledged') {
    throw new LifecycleError(
      `alert ${alert.id} is ${alert.state}: only a firing or acknowledged alert can be escalated`,
    );
  }
  const level = alert.escalationLevel + 1;
  const target = rule.escalation[level];
  if (target === undefined)
    throw new LifecycleError(`alert ${alert.id} is already at the last escalation level`);
  return {
    alert: { ...alert, escalationLevel: level, dueSince: alert.dueSince ?? now, updatedAt: now },
    transitions: [
      { action: 'alert.escalated', reason: `${reason} (to ${target.name}, level ${level})`, actor: who },
    ],
  };
}

/** A request the alert's state does not allow (answered 409). */
export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
}

function fire(alert: AlertRecord, context: StepContext): AlertRecord {
  const firings = [...context.firings, context.now];
  return {
    ...alert,
    state: 'firing',
    firedAt: context.now,
    flapping: flappingAt(firings, context.now),
    dueSince: alert.dueSince ?? context.now,
    updatedAt: context.now,
  };
}

function resolve(alert: AlertRecord, now: number): AlertRecord {
  const untold = alert.notified.firing && !alert.notified.resolved;
  return {
    ...alert,
    state: 'resolved',
    resolvedAt: now,
    dueSince: untold ? (alert.dueSince ?? now) : null,
    updatedAt: now,
  };
}

function firingTransition(observation: Observation): Transition {
  return { action: 'alert.firing', reason: observation.summary };
}

const evidenceOf = (observation: Observation): { evidence?: AlertEvidence } =>
  observation.evidence === undefined ? {} : { evidence: observation.evidence };

/** Only the value moved: kept in memory and stored with the next real change, no audit line. */
function valueOnly(open: AlertRecord, observed: AlertRecord): Step | null {
  if (open.value === observed.value && open.summary === observed.summary) return null;
  return { alert: observed, transitions: [] };
}

/** Whether the fingerprint flaps now (its recent firings); shown on the alert and holding its notifications. */
export function flappingNow(firings: readonly number[], now: number): boolean {
  return flappingAt(firings, now);
}
