import type { Category, Severity } from './categories.js';

/**
 * Alerts, rules, silences, subscriptions, users and the audit log as the backend serves them (REST
 * under `/api/alerts`, `/api/rules`, `/api/silences`, `/api/subscriptions`, `/api/audit`, and the
 * `alerts` / `alerts:notification` Socket.IO events). The engine lives in backend/src/alerts.
 */

// ---------------------------------------------------------------------------------------------------
// Users and roles

/** viewer reads; operator also acknowledges, resolves and silences; admin also edits rules, subscriptions, keys and retrains. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface UserInfo {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  /** District codes the user may see alerts of; null = every district of the region. */
  readonly districts: readonly string[] | null;
  readonly createdAt: string;
}

/** `POST /api/auth/login` answers with a bearer token (a JWT) and who it is for. */
export interface LoginResponse {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: UserInfo;
}

/** A user as admins see it (`/api/users`): a disabled user cannot log in, and its sessions stop. */
export interface UserAccount extends UserInfo {
  readonly disabled: boolean;
}

/** A producer key as `GET /api/producer-keys` lists it: never the key itself nor its hash. */
export interface ProducerKeyView {
  readonly id: string;
  readonly name: string;
  /** Events per second on average, and at once (also the most one request may hold). */
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** `POST /api/producer-keys`: the only time the key itself is shown. */
export interface CreatedProducerKey extends ProducerKeyView {
  readonly key: string;
}

// ---------------------------------------------------------------------------------------------------
// Rules

export const RULE_KINDS = ['risk', 'spike', 'surge', 'black_spot', 'category', 'no_data'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** What a rule watches, with its firing threshold and its (lower) clear threshold. */
export type RuleCondition =
  /** The active model's P(top tercile next week) at or above `threshold`; clears below `clear`. */
  | { readonly kind: 'risk'; readonly threshold: number; readonly clear: number }
  /**
   * The counts of steps of `stepMinutes` surge against their expectation (the surge scan over the last 1 to
   * 24 steps, expectations from the district's previous `historySteps` steps), beyond the level at which
   * 1 - `coverage` of quiet steps would fire; clears when the last step and the step in progress are each
   * back under the level of `clearCoverage` (a lower one). `minCount` keeps tiny counts quiet.
   */
  | {
      readonly kind: 'spike';
      readonly stepMinutes: number;
      readonly historySteps: number;
      readonly coverage: number;
      readonly clearCoverage: number;
      readonly minCount: number;
    }
  /** CompStat: the last 28 days against the 28 before, up at least `changePct` % with at least `minCount`; clears below `clearPct`. */
  | {
      readonly kind: 'surge';
      readonly changePct: number;
      readonly minCount: number;
      readonly clearPct: number;
    }
  /** At least `minAccidents` road accidents within `radiusKm` of one another in the last `hours` (from coordinates). */
  | {
      readonly kind: 'black_spot';
      readonly minAccidents: number;
      readonly radiusKm: number;
      readonly hours: number;
    }
  /** The category's count over the last `windowMinutes` at or above `threshold`; clears below `clear`. */
  | {
      readonly kind: 'category';
      readonly windowMinutes: number;
      readonly threshold: number;
      readonly clear: number;
    }
  /**
   * No event from the district (`scope: district`) or from a producer (`scope: producer`) for `minutes`.
   * With `improbability` (district scope only), also a silence that the district's usual rate makes at
   * most that likely (see `silenceProbability`): a quiet district is not a silent one.
   */
  | {
      readonly kind: 'no_data';
      readonly scope: 'district' | 'producer';
      readonly minutes: number;
      readonly improbability?: number;
    };

/** One escalation level: who is told, and after how long without an acknowledgement since firing. */
export interface EscalationLevel {
  readonly name: string;
  readonly afterSeconds: number;
}

export interface AlertRule {
  readonly id: string;
  readonly region: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly severity: Severity;
  /** The category watched; null = every incident category together (or, for no_data, any event). */
  readonly category: Category | null;
  /** District codes the rule applies to; null = every district of the region. */
  readonly districts: readonly string[] | null;
  readonly condition: RuleCondition;
  /** The condition must hold this long before the alert fires (pending meanwhile). */
  readonly forSeconds: number;
  /** Once the condition clears, the alert keeps firing this long before it resolves. */
  readonly keepFiringForSeconds: number;
  /** Level 0 is told at firing; each next level when its `afterSeconds` pass without acknowledgement. */
  readonly escalation: readonly EscalationLevel[];
  readonly updatedAt: string;
  readonly updatedBy: string;
}

// ---------------------------------------------------------------------------------------------------
// Alerts

export const ALERT_STATES = ['pending', 'firing', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Labels an alert carries; silences match on them. */
export interface AlertLabels {
  readonly rule: string;
  readonly kind: RuleKind;
  readonly district: string;
  /** `*` when the rule watches every incident category. */
  readonly category: string;
  readonly severity: Severity;
  /** The producer a no_data alert is about, else absent. */
  readonly producer?: string;
}

/** Why a spike alert fired, at the last evaluation: the scan's best window against its expectation. */
export interface AlertEvidence {
  /** Reports in the window, and the count expected there. */
  readonly observed: number;
  readonly expected: number;
  /** The detector's score (a log likelihood ratio) and the level at which the rule fires. */
  readonly score: number;
  readonly threshold: number;
  /** Start of the window: since when the count runs above its expectation (ISO time). */
  readonly since: string;
}

export interface Alert {
  readonly id: string;
  /** rule + district + category: one open alert per fingerprint. */
  readonly fingerprint: string;
  readonly labels: AlertLabels;
  readonly state: AlertState;
  /** The watched value at the last evaluation, and a sentence saying what it means. */
  readonly value: number;
  readonly summary: string;
  /** Expected against observed, the score and since when (spike rules); absent for the other kinds. */
  readonly evidence?: AlertEvidence;
  readonly startedAt: string;
  readonly firedAt: string | null;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: string | null;
  readonly escalationLevel: number;
  /** Several firing/resolved changes in a short time; its notifications are held while it flaps. */
  readonly flapping: boolean;
  /** Ids of the active silences that match the alert; notifications are suppressed, the alert stays visible. */
  readonly silencedBy: readonly string[];
  /** A more severe open alert of the same district suppresses this one's notifications. */
  readonly inhibitedBy: string | null;
  readonly updatedAt: string;
}

/** One line of the append-only audit log. */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  /** A username, `system` (the engine) or `producer:<key id>`. */
  readonly actor: string;
  /** e.g. `alert.firing`, `alert.acknowledged`, `silence.created`, `rule.updated`, `subscription.created`. */
  readonly action: string;
  /** What it is about: `alert:<id>`, `silence:<id>`, `rule:<id>`, `subscription:<id>`, `user:<id>`. */
  readonly subject: string;
  readonly reason: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** `GET /api/alerts` and `GET /api/alerts/:id`: an alert with its history (its audit entries, oldest first). */
export interface AlertWithHistory extends Alert {
  readonly history: readonly AuditEntry[];
}

// ---------------------------------------------------------------------------------------------------
// Silences

export interface LabelMatcher {
  readonly label: keyof AlertLabels;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

export interface Silence {
  readonly id: string;
  readonly matchers: readonly LabelMatcher[];
  readonly reason: string;
  readonly createdBy: string;
  readonly startsAt: string;
  /** Mandatory. */
  readonly endsAt: string;
  /** Set when expired early by someone. */
  readonly expiredBy: string | null;
}

// ---------------------------------------------------------------------------------------------------
// Notifications and delivery

export const NOTIFICATION_KINDS = ['firing', 'resolved', 'escalation', 'repeat'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * One grouped notification of a district: what webhooks receive (signed) and what
 * `alerts:notification` carries. Stored once per `idempotencyKey`, so no restart sends it twice.
 */
export interface AlertNotification {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly district: string;
  readonly kind: NotificationKind;
  /** The escalation level told (0 for firing, resolved and repeat). */
  readonly level: number;
  readonly levelName: string;
  readonly createdAt: string;
  readonly alerts: readonly Alert[];
}

/** Which notifications a webhook subscription receives; empty / null filters match everything. */
export interface SubscriptionFilter {
  readonly districts: readonly string[] | null;
  readonly severities: readonly Severity[] | null;
  readonly categories: readonly string[] | null;
  /** Lowest escalation level told to this subscription (0 = from firing on). */
  readonly minLevel: number;
}

export interface WebhookSubscription {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly filter: SubscriptionFilter;
  readonly enabled: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** Answered once, at creation: the HMAC-SHA256 secret is never shown again. */
export interface CreatedSubscription extends WebhookSubscription {
  readonly secret: string;
}

export const DELIVERY_STATES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** The delivery log: one row per (subscription, notification). */
export interface WebhookDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly notificationId: string;
  readonly idempotencyKey: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: string | null;
  readonly createdAt: string;
}

/** `alerts:subscribe`: the rooms a socket wants; omitted lists mean none of that dimension, all empty = every alert the user may see. */
export interface AlertRoomRequest {
  readonly districts?: readonly string[];
  readonly severities?: readonly Severity[];
  readonly categories?: readonly string[];
}

/** Pushed as `alerts`: the alerts whose state, value or flags changed. */
export interface AlertsUpdate {
  readonly at: string;
  readonly alerts: readonly Alert[];
}
