import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntry } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database, Queryable } from '../database/database.js';

/** What a caller appends; `id` and `at` come from the database. */
export interface AuditRecord {
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly reason?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

interface AuditRow {
  id: string;
  at: Date | string;
  actor: string;
  action: string;
  subject: string;
  reason: string | null;
  details: Record<string, unknown> | string;
}

export interface AuditQuery {
  readonly subject?: string;
  readonly subjectPrefix?: string;
  readonly actor?: string;
  /** Entries with an id below this (paging backwards). */
  readonly before?: string;
  readonly limit: number;
  /** What the reader may see; absent: everything. */
  readonly visible?: AuditVisibility;
}

/** The part of the log a reader may see (auth/scope.ts decides it per user). */
export interface AuditVisibility {
  /** Subject kinds (`alert`, `rule`, ...) shown; null: every kind. */
  readonly kinds: readonly string[] | null;
  /** `alert:` entries only of alerts of these districts; null: of every alert. */
  readonly alertDistricts: readonly string[] | null;
  /** `silence:` entries only of these silences; null: of every silence. */
  readonly silenceIds: readonly string[] | null;
}

/**
 * The append-only audit log (migration 5): every alert transition, acknowledgement, silence, rule,
 * subscription and user change, with who and why. Writers pass their transaction, so an entry is
 * committed exactly when the change it describes is.
 */
@Injectable()
export class AuditLog {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async append(tx: Queryable, records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const values: unknown[] = [];
    const rows = records.map((record, i) => {
      values.push(
        record.actor,
        record.action,
        record.subject,
        record.reason ?? null,
        JSON.stringify(record.details ?? {}),
      );
      const o = i * 5;
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}::jsonb)`;
    });
    await tx.query(
      `INSERT INTO audit_log (actor, action, subject, reason, details) VALUES ${rows.join(', ')}`,
      values,
    );
  }

  /** Newest first. */
  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.subject !== undefined) add('subject = ?', query.subject);
    if (query.subjectPrefix !== undefined) add("subject LIKE ? || '%'", query.subjectPrefix);
    if (query.actor !== undefined) add('actor = ?', query.actor);
    if (query.before !== undefined) add('id < ?::bigint', query.before);
    const visible = query.visible;
    if (visible?.kinds != null) add("split_part(subject, ':', 1) = ANY(?::text[])", visible.kinds);
    if (visible?.alertDistricts != null) {
      add(
        "(subject NOT LIKE 'alert:%' OR substr(subject, 7) IN (SELECT id FROM alerts WHERE district = ANY(?::text[])))",
        visible.alertDistricts,
      );
    }
    if (visible?.silenceIds != null) {
      add("(subject NOT LIKE 'silence:%' OR substr(subject, 9) = ANY(?::text[]))", visible.silenceIds);
    }
    params.push(query.limit);
    const { rows } = await this.db.query<AuditRow>(
      `SELECT id::text AS id, at, actor, action, subject, reason, details FROM audit_log
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY audit_log.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toEntry);
  }

  /** Every entry of the given subjects, oldest first (an alert's history). */
  async ofSubjects(subjects: readonly string[]): Promise<Map<string, AuditEntry[]>> {
    const bySubject = new Map<string, AuditEntry[]>();
    if (subjects.length === 0) return bySubject;
    const { rows } = await this.db.query<AuditRow>(
      `SELECT id::text AS id, at, actor, action, subject, reason, details FROM audit_log
       WHERE subject = ANY($1::text[]) ORDER BY audit_log.id`,
      [subjects],
    );
    for (const row of rows) {
      const list = bySubject.get(row.subject) ?? [];
      list.push(toEntry(row));
      bySubject.set(row.subject, list);
    }
    return bySubject;
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    reason: row.reason,
    details:
      typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
  };
}
