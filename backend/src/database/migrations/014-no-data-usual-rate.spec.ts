import { readFileSync } from 'node:fs';
import { parseRegion, type AlertRule } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../alerts/default-rules.js';
import { MIGRATIONS, bucketContext, migrate } from '../migrate.js';
import { PgliteDatabase } from '../pglite.repository.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const SEEDED_AT = new Date('2026-11-01T00:00:00Z');

/** The district no-data rule as installs before migration 14 seeded it, or as an admin `edited` it. */
function storedRule(edited: boolean): AlertRule {
  const now = defaultRules(region.code, SEEDED_AT).find((rule) => rule.id === 'no-data-district');
  if (now === undefined) throw new Error('no default no-data-district rule');
  return {
    ...now,
    name: 'No data from a district for 60 min',
    condition: { kind: 'no_data', scope: 'district', minutes: edited ? 90 : 60 },
    updatedBy: edited ? 'admin' : 'system',
  };
}

async function migratedFrom(rule: AlertRule) {
  const db = await PgliteDatabase.open('memory://');
  try {
    await migrate(
      db,
      bucketContext(region),
      MIGRATIONS.filter((migration) => migration.version < 14),
    );
    await db.query(
      'INSERT INTO alert_rules (id, region, rule, updated_at, updated_by) VALUES ($1, $2, $3::jsonb, $4, $5)',
      [rule.id, rule.region, JSON.stringify(rule), SEEDED_AT, rule.updatedBy],
    );
    const applied = await migrate(db, bucketContext(region));
    const stored = (
      await db.query<{ rule: AlertRule }>("SELECT rule FROM alert_rules WHERE id = 'no-data-district'")
    ).rows[0]?.rule;
    const audit = (
      await db.query<{
        actor: string;
        action: string;
        subject: string;
        details: { before: AlertRule; rule: AlertRule };
      }>('SELECT actor, action, subject, details FROM audit_log ORDER BY id')
    ).rows;
    return { applied, stored, audit };
  } finally {
    await db.close();
  }
}

describe('migration 14: the seeded district no-data rule judges a silence by the usual rate', () => {
  it('gives the rule as seeded what new installs get, and audits the change', async () => {
    const before = storedRule(false);
    const { applied, stored, audit } = await migratedFrom(before);
    expect(applied).toEqual([14]);
    const fresh = defaultRules(region.code, SEEDED_AT).find((rule) => rule.id === 'no-data-district');
    expect({ ...stored, updatedAt: fresh?.updatedAt }).toEqual(fresh);
    expect(stored?.condition).toEqual({
      kind: 'no_data',
      scope: 'district',
      minutes: 60,
      improbability: 0.0001,
    });
    expect(audit).toEqual([
      {
        actor: 'system',
        action: 'rule.updated',
        subject: 'rule:no-data-district',
        details: { before, rule: stored },
      },
    ]);
  });

  it('leaves a rule an admin edited as it is, and writes nothing', async () => {
    const before = storedRule(true);
    const { applied, stored, audit } = await migratedFrom(before);
    expect(applied).toEqual([14]);
    expect(stored).toEqual(before);
    expect(audit).toEqual([]);
  });
});
