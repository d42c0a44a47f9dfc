import type { Migration } from '../migrate.js';

/** The seeded district no-data rule as every install before this one stored it. */
const BEFORE = { kind: 'no_data', scope: 'district', minutes: 60 };
const NAME = 'No data from a district: silent longer than its usual rate explains';
const IMPROBABILITY = 0.0001;

export const noDataUsualRate: Migration = {
  // At real volumes most districts send less than one event an hour, so the seeded "60 silent minutes" rule
  // fired on a working feed about 6,900 times a month (docs/alerts.md, "No data"). Rules are data, seeded
  // once: this gives the seeded rule the improbability new installs get, only where nobody edited it
  // (still the system's, with the seeded condition), and writes the change to the audit log. The values
  // are this migration's own, not the live defaults': a later change of those needs a migration of its own.
  version: 14,
  name: 'the seeded district no-data rule judges a silence by the usual rate',
  async up(tx) {
    const { rows } = await tx.query<{ region: string; rule: Record<string, unknown> | string }>(
      `SELECT region, rule FROM alert_rules
        WHERE id = 'no-data-district' AND updated_by = 'system' AND rule->'condition' = $1::jsonb`,
      [JSON.stringify(BEFORE)],
    );
    for (const row of rows) {
      const before =
        typeof row.rule === 'string' ? (JSON.parse(row.rule) as Record<string, unknown>) : row.rule;
      const now = new Date();
      const after = {
        ...before,
        name: NAME,
        condition: { ...BEFORE, improbability: IMPROBABILITY },
        updatedAt: now.toISOString(),
        updatedBy: 'system',
      };
      await tx.query(
        `UPDATE alert_rules SET rule = $3::jsonb, updated_at = $4 WHERE id = 'no-data-district' AND region = $1
            AND rule = $2::jsonb`,
        [row.region, JSON.stringify(before), JSON.stringify(after), now],
      );
      await tx.query(
        `INSERT INTO audit_log (actor, action, subject, reason, details) VALUES ('system', 'rule.updated', $1, $2, $3::jsonb)`,
        [
          'rule:no-data-district',
          "migration 14: the seeded rule fires only when the district's usual rate makes the silence unlikely",
          JSON.stringify({ before, rule: after }),
        ],
      );
    }
  },
};
