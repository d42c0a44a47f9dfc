import type { AlertLabels, AlertRule } from '@district-monitor/streams';
import type { AuditRecord } from '../../audit/audit-log.js';
import type { Arrivals } from './arrivals.js';
import type { Observation, Step, Transition } from './lifecycle.js';
import { labelsOf, type AlertRecord } from './record.js';

/** One rule to run for one district. */
export interface RuleTarget {
  readonly rule: AlertRule;
  readonly district: string;
}

type ProducerRule = AlertRule & { condition: { kind: 'no_data'; scope: 'producer'; minutes: number } };

const isProducerRule = (rule: AlertRule): rule is ProducerRule =>
  rule.condition.kind === 'no_data' && rule.condition.scope === 'producer';

/**
 * What an evaluation of some districts runs: every enabled rule (or those of one kind) for each district
 * it covers, in rule order. The region's producer group and producer no-data rules are evaluated apart.
 */
export function ruleTargets(
  rules: Iterable<AlertRule>,
  districts: readonly string[],
  regionCode: string,
  kind?: AlertRule['condition']['kind'],
): RuleTarget[] {
  const targets: RuleTarget[] = [];
  for (const rule of rules) {
    if (!rule.enabled || (kind !== undefined && rule.condition.kind !== kind)) continue;
    if (isProducerRule(rule)) continue;
    for (const district of districts) {
      if (district === regionCode) continue;
      if (rule.districts !== null && !rule.districts.includes(district)) continue;
      targets.push({ rule, district });
    }
  }
  return targets;
}

/** The enabled no-data rules of producers. */
export function producerRules(rules: Iterable<AlertRule>): ProducerRule[] {
  return [...rules].filter((rule): rule is ProducerRule => rule.enabled && isProducerRule(rule));
}

/**
 * A producer's silence as a no-data rule sees it. `seen` is its last arrival; no earlier than
 * `watchedSince` counts (the engine looks back only so far at start).
 */
export function producerObservation(
  rule: ProducerRule,
  producer: string,
  seen: number,
  watchedSince: number,
  now: number,
): Observation {
  const { minutes } = rule.condition;
  const silentMinutes = (now - Math.max(seen, watchedSince)) / 60_000;
  return {
    active: silentMinutes >= minutes,
    cleared: silentMinutes < minutes,
    value: Math.floor(silentMinutes),
    summary: `no event from producer ${producer} for ${Math.floor(silentMinutes)} min (fires at ${minutes})`,
  };
}

/** Every enabled producer no-data rule with every producer seen: the producer group's observations. */
export function producerTargets(
  rules: Iterable<AlertRule>,
  arrivals: Pick<Arrivals, 'producerArrivals' | 'watchedSince'>,
  regionCode: string,
  now: number,
): { rule: AlertRule; labels: AlertLabels; observation: Observation }[] {
  return producerRules(rules).flatMap((rule) =>
    arrivals.producerArrivals().map(([producer, seen]) => ({
      rule,
      labels: labelsOf(rule, regionCode, producer),
      observation: producerObservation(rule, producer, seen, arrivals.watchedSince, now),
    })),
  );
}

/** Open alerts whose rule was deleted, disabled or narrowed away from their district resolve. */
export function orphanSteps(
  open: readonly AlertRecord[],
  rules: ReadonlyMap<string, AlertRule>,
  now: number,
): Step[] {
  const steps: Step[] = [];
  for (const alert of open) {
    const rule = rules.get(alert.labels.rule);
    const applies =
      rule !== undefined &&
      rule.enabled &&
      (rule.districts === null ||
        rule.districts.includes(alert.labels.district) ||
        alert.labels.producer !== undefined);
    if (applies) continue;
    steps.push({
      alert: {
        ...alert,
        state: 'resolved',
        resolvedAt: now,
        dueSince: alert.notified.firing ? now : null,
        updatedAt: now,
      },
      transitions: [
        {
          action: 'alert.resolved',
          reason: `rule ${alert.labels.rule} was deleted, disabled or no longer covers the district`,
        },
      ],
    });
  }
  return steps;
}

/** The audit lines of a step's transitions, written with the alert in one transaction. */
export function auditOf(alert: AlertRecord, transitions: readonly Transition[]): AuditRecord[] {
  return transitions.map((t) => ({
    actor: t.actor ?? 'system',
    action: t.action,
    subject: `alert:${alert.id}`,
    reason: t.reason,
    details: {
      fingerprint: alert.fingerprint,
      state: alert.state,
      value: alert.value,
      escalationLevel: alert.escalationLevel,
    },
  }));
}
