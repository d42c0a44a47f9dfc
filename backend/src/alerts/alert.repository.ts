import { Inject, Injectable } from '@nestjs/common';
import type { AlertRule, AlertState, RuleInput, Silence } from '@district-monitor/streams';
import { AuditLog, type AuditRecord } from '../audit/audit-log.js';
import { DATABASE } from '../config/tokens.js';
import type { Database, Queryable } from '../database/database.js';
import type { Point } from './engine/black-spot.js';
import type { AlertRecord } from './engine/record.js';
import type { PlannedNotification } from './engine/grouping.js';

interface AlertRow {
  record: AlertRecord | string;
  version: number;
}

const parse = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);
const fromRow = (row: AlertRow): AlertRecord => ({ ...parse(row.record), version: row.version });

export interface AlertListQuery {
  readonly states?: readonly AlertState[];
  readonly districts?: readonly string[] | null;
  readonly since?: Date;
  readonly limit: number;
}

/** The result of a guarded write: `conflict` when another writer changed (or opened) the alert first. */
export type WriteResult = { readonly ok: true; readonly alert: AlertRecord } | { readonly ok: false };

/**
 * Alerts, rules, silences and the notification outbox in the database. Every alert write is guarded:
 * an insert by the one-open-alert-per-fingerprint index, an update by the row's version. The loser of a
 * race gets `ok: false`, reloads and decides again; nothing is written twice.
 */
@Injectable()
export class AlertRepository {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  // ------------------------------------------------------------------ alerts

  async write(alert: AlertRecord, audit: readonly AuditRecord[]): Promise<WriteResult> {
    return this.db.transaction(async (tx) => {
      const written = await this.writeIn(tx, alert);
      if (written.ok) await this.audit.append(tx, audit);
      return written;
    });
  }

  private async writeIn(tx: Queryable, alert: AlertRecord): Promise<WriteResult> {
    const next = { ...alert, version: alert.version + 1 };
    const record = JSON.stringify(next);
    const common = [
      next.state,
      record,
      next.version,
      new Date(next.updatedAt),
      next.resolvedAt === null ? null : new Date(next.resolvedAt),
    ];
    if (alert.version === 0) {
      const { rows } = await tx.query(
        `INSERT INTO alerts (state, record, version, updated_at, resolved_at, id, fingerprint, rule_id, district, started_at)
         VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (fingerprint) WHERE state <> 'resolved' DO NOTHING RETURNING id`,
        [
          ...common,
          next.id,
          next.fingerprint,
          next.labels.rule,
          next.labels.district,
          new Date(next.startedAt),
        ],
      );
      return rows.length === 1 ? { ok: true, alert: next } : { ok: false };
    }
    const { rows } = await tx.query(
      `UPDATE alerts SET state = $1, record = $2::jsonb, version = $3, updated_at = $4, resolved_at = $5
       WHERE id = $6 AND version = $7 RETURNING id`,
      [...common, next.id, alert.version],
    );
    return rows.length === 1 ? { ok: true, alert: next } : { ok: false };
  }

  /**
   * Stores a notification once (its idempotency key) with its alerts marked as told, in one transaction.
   * Returns the notification id when this call stored it; null when it already existed or an alert changed.
   */
  async storeNotification(
    id: string,
    district: string,
    planned: PlannedNotification,
    body: unknown,
  ): Promise<{ stored: boolean; alerts: AlertRecord[] } | null> {
    try {
      return await this.db.transaction(async (tx) => {
        const { rows } = await tx.query(
          `INSERT INTO alert_notifications (id, idempotency_key, district, kind, level, body)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
          [id, planned.idempotencyKey, district, planned.kind, planned.level, JSON.stringify(body)],
        );
        const alerts: AlertRecord[] = [];
        for (const alert of planned.alerts) {
          const written = await this.writeIn(tx, alert);
          if (!written.ok) throw new StaleAlert();
          alerts.push(written.alert);
        }
        return { stored: rows.length === 1, alerts };
      });
    } catch (error) {
      if (error instanceof StaleAlert) return null;
      throw error;
    }
  }

  /** Open alerts of the districts, and their episodes since `since` (flap history). */
  async ofDistricts(districts: readonly string[], since: Date): Promise<AlertRecord[]> {
    const { rows } = await this.db.query<AlertRow>(
      `SELECT record, version FROM alerts WHERE district = ANY($1::text[])
         AND (state <> 'resolved' OR resolved_at >= $2) ORDER BY started_at`,
      [districts, since],
    );
    return rows.map(fromRow);
  }

  async byId(id: string): Promise<AlertRecord | undefined> {
    const { rows } = await this.db.query<AlertRow>('SELECT record, version FROM alerts WHERE id = $1', [id]);
    const [row] = rows;
    return row === undefined ? undefined : fromRow(row);
  }

  async openByFingerprint(fingerprint: string): Promise<AlertRecord | undefined> {
    const { rows } = await this.db.query<AlertRow>(
      "SELECT record, version FROM alerts WHERE fingerprint = $1 AND state <> 'resolved'",
      [fingerprint],
    );
    const [row] = rows;
    return row === undefined ? undefined : fromRow(row);
  }

  async list(query: AlertListQuery): Promise<AlertRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.states !== undefined) {
      params.push(query.states);
      where.push(`state = ANY($${params.length}::text[])`);
    }
    if (query.districts !== undefined && query.districts !== null) {
      params.push(query.districts);
      where.push(`district = ANY($${params.length}::text[])`);
    }
    if (query.since !== undefined) {
      params.push(query.since);
      where.push(`(state <> 'resolved' OR resolved_at >= $${params.length})`);
    }
    params.push(query.limit);
    const { rows } = await this.db.query<AlertRow>(
      `SELECT record, version FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY started_at DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(fromRow);
  }

  /** The last notification of each district (group timers survive restarts). */
  async lastNotified(districts: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ district: string; at: Date | string }>(
      `SELECT district, max(created_at) AS at FROM alert_notifications WHERE district = ANY($1::text[]) GROUP BY district`,
      [districts],
    );
    return new Map(rows.map((row) => [row.district, new Date(row.at).getTime()]));
  }

  // ------------------------------------------------------------------ rules

  async rules(region: string): Promise<AlertRule[]> {
    const { rows } = await this.db.query<{ rule: AlertRule | string }>(
      'SELECT rule FROM alert_rules WHERE region = $1 ORDER BY id',
      [region],
    );
    return rows.map((row) => parse(row.rule));
  }

  /** Seeds the region's default rules once (a replica racing does nothing). */
  async seedRules(region: string, rules: readonly AlertRule[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('district-monitor alert rules'))");
      const { rows } = await tx.query('SELECT 1 FROM alert_rules WHERE region = $1 LIMIT 1', [region]);
      if (rows.length > 0) return 0;
      for (const rule of rules) {
        await tx.query(
          'INSERT INTO alert_rules (id, region, rule, updated_by) VALUES ($1, $2, $3::jsonb, $4)',
          [rule.id, region, JSON.stringify(rule), rule.updatedBy],
        );
      }
      await this.audit.append(
        tx,
        rules.map((rule) => ({
          actor: 'system',
          action: 'rule.created',
          subject: `rule:${rule.id}`,
          reason: 'default rules of the region',
          details: { rule },
        })),
      );
      return rules.length;
    });
  }

  /** Creates (`create`) or replaces a rule; false when the id is taken (create) or missing (replace). */
  async saveRule(rule: AlertRule, mode: 'create' | 'replace', audit: AuditRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } =
        mode === 'create'
          ? await tx.query(
              `INSERT INTO alert_rules (id, region, rule, updated_at, updated_by) VALUES ($1, $2, $3::jsonb, $4, $5)
               ON CONFLICT (id) DO NOTHING RETURNING id`,
              [rule.id, rule.region, JSON.stringify(rule), new Date(rule.updatedAt), rule.updatedBy],
            )
          : await tx.query(
              `UPDATE alert_rules SET rule = $3::jsonb, updated_at = $4, updated_by = $5 WHERE id = $1 AND region = $2 RETURNING id`,
              [rule.id, rule.region, JSON.stringify(rule), new Date(rule.updatedAt), rule.updatedBy],
            );
      if (rows.length === 0) return false;
      await this.audit.append(tx, [audit]);
      return true;
    });
  }

  async deleteRule(region: string, id: string, audit: AuditRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query('DELETE FROM alert_rules WHERE id = $1 AND region = $2 RETURNING id', [
        id,
        region,
      ]);
      if (rows.length === 0) return false;
      await this.audit.append(tx, [audit]);
      return true;
    });
  }

  // ------------------------------------------------------------------ silences

  async silences(options: { activeAt?: Date } = {}): Promise<Silence[]> {
    const { rows } = await this.db.query<SilenceRow>(
      options.activeAt === undefined
        ? 'SELECT * FROM silences ORDER BY starts_at DESC LIMIT 500'
        : 'SELECT * FROM silences WHERE expired_by IS NULL AND starts_at <= $1 AND ends_at > $1 ORDER BY starts_at',
      options.activeAt === undefined ? [] : [options.activeAt],
    );
    return rows.map(toSilence);
  }

  /** Every silence's id and matchers, ended or not (what the audit log's scope needs). */
  async silenceMatchers(): Promise<{ id: string; matchers: Silence['matchers'] }[]> {
    const { rows } = await this.db.query<Pick<SilenceRow, 'id' | 'matchers'>>(
      'SELECT id, matchers FROM silences',
    );
    return rows.map((row) => ({ id: row.id, matchers: parse(row.matchers) }));
  }

  /** One silence by id, ended or not. */
  async silence(id: string): Promise<Silence | undefined> {
    const { rows } = await this.db.query<SilenceRow>('SELECT * FROM silences WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : toSilence(rows[0]);
  }

  async createSilence(silence: Silence, audit: AuditRecord): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO silences (id, matchers, reason, created_by, starts_at, ends_at) VALUES ($1, $2::jsonb, $3, $4, $5, $6)`,
        [
          silence.id,
          JSON.stringify(silence.matchers),
          silence.reason,
          silence.createdBy,
          new Date(silence.startsAt),
          new Date(silence.endsAt),
        ],
      );
      await this.audit.append(tx, [audit]);
    });
  }

  /** Ends a silence now; false when it does not exist or has already ended. */
  async expireSilence(id: string, who: string, now: Date, audit: AuditRecord): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `UPDATE silences SET expired_by = $2, ends_at = GREATEST(starts_at + interval '1 millisecond', LEAST(ends_at, $3))
         WHERE id = $1 AND expired_by IS NULL AND ends_at > $3 RETURNING id`,
        [id, who, now],
      );
      if (rows.length === 0) return false;
      await this.audit.append(tx, [audit]);
      return true;
    });
  }

  // ------------------------------------------------------------------ what the rules read

  /** Located road accidents of the district in [from, to), corrections applied. */
  async accidentPoints(district: string, from: Date, to: Date): Promise<Point[]> {
    const { rows } = await this.db.query<{ lat: number; lon: number }>(
      `SELECT lat, lon FROM accidents WHERE district = $1 AND occurred_at >= $2 AND occurred_at < $3
         AND lat IS NOT NULL AND lon IS NOT NULL AND superseded_by IS NULL`,
      [district, from, to],
    );
    return rows;
  }

  /**
   * Reports per district, category and minute of `reported_at` since `from`, corrections left out (the
   * minute counts at start). Reports are rarely more than 30 days late: that occurrence bound lets the
   * hypertables prune their chunks.
   */
  async minuteCounts(from: Date): Promise<MinuteCountRow[]> {
    const select = (table: string) =>
      `SELECT district, category, date_trunc('minute', reported_at) AS minute, count(*)::int AS events
       FROM ${table} WHERE reported_at >= $1 AND occurred_at >= $2 AND amends IS NULL GROUP BY 1, 2, 3`;
    const { rows } = await this.db.query<MinuteCountRow>(
      `${select('incidents')} UNION ALL ${select('accidents')}`,
      [from, new Date(from.getTime() - 30 * 86_400_000)],
    );
    return rows;
  }

  /** Last arrival per district and per producer (source) among events that occurred since `from`. */
  async lastArrivals(
    from: Date,
  ): Promise<{ districts: Map<string, number>; producers: Map<string, number> }> {
    const union = `SELECT district, source, ingested_at FROM incidents WHERE occurred_at >= $1
                   UNION ALL SELECT district, source, ingested_at FROM accidents WHERE occurred_at >= $1`;
    const byDistrict = await this.db.query<{ key: string; at: Date | string }>(
      `SELECT district AS key, max(ingested_at) AS at FROM (${union}) e GROUP BY district`,
      [from],
    );
    const bySource = await this.db.query<{ key: string; at: Date | string }>(
      `SELECT source AS key, max(ingested_at) AS at FROM (${union}) e WHERE source IS NOT NULL GROUP BY source`,
      [from],
    );
    const toMap = (rows: { key: string; at: Date | string }[]) =>
      new Map(rows.map((row) => [row.key, new Date(row.at).getTime()]));
    return { districts: toMap(byDistrict.rows), producers: toMap(bySource.rows) };
  }
}

class StaleAlert extends Error {}

export interface MinuteCountRow {
  district: string;
  category: string;
  minute: Date | string;
  events: number;
}

interface SilenceRow {
  id: string;
  matchers: Silence['matchers'] | string;
  reason: string;
  created_by: string;
  starts_at: Date | string;
  ends_at: Date | string;
  expired_by: string | null;
}

function toSilence(row: SilenceRow): Silence {
  return {
    id: row.id,
    matchers: parse(row.matchers),
    reason: row.reason,
    createdBy: row.created_by,
    startsAt: new Date(row.starts_at).toISOString(),
    endsAt: new Date(row.ends_at).toISOString(),
    expiredBy: row.expired_by,
  };
}

export type { RuleInput };
