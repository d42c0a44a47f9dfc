import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { runProducer } from './helpers/produce.js';
import { createTopics } from './helpers/kafka.js';
import { createDatabase, REPO_ROOT, requireEnv, uniqueName, waitFor } from './helpers/services.js';

const FILE = `${REPO_ROOT}../shared/data/incidents/chicago_crimes_2017.csv`;

/** Counts straight from the CSV, independent of the replay code: district "001" -> CHI-001, day as printed. */
async function countsFromCsv(): Promise<{
  rows: number;
  noDistrict: number;
  byDistrictDay: Map<string, number>;
}> {
  const byDistrictDay = new Map<string, number>();
  let rows = 0;
  let noDistrict = 0;
  for await (const row of createReadStream(FILE).pipe(parse({ columns: true })) as AsyncIterable<
    Record<string, string>
  >) {
    rows++;
    if (row.District === '') {
      noDistrict++;
      continue;
    }
    const [month, day, year] = (row.Date ?? '').slice(0, 10).split('/');
    const key = `CHI-${row.District}|${year}-${month}-${day}`;
    byDistrictDay.set(key, (byDistrictDay.get(key) ?? 0) + 1);
  }
  return { rows, noDistrict, byDistrictDay };
}

describe('replay of the 2017 Chicago incident file through Kafka', () => {
  let database: { url: string; drop(): Promise<void> };
  let backend: RunningBackend;
  let prefix: string;

  beforeAll(async () => {
    database = await createDatabase();
    ({ prefix } = await createTopics());
    backend = await startBackend({
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: uniqueName('replay-'),
      DATABASE_URL: database.url,
      REGION_FILE: 'data/regions/chicago.json',
      SIMULATOR: 'off',
    });
  });
  afterAll(async () => {
    await backend.stop('SIGTERM');
    await database.drop();
  });

  it('stores exactly the valid rows, with the per-district, per-day counts of the CSV', async () => {
    const expected = await countsFromCsv();
    const replayed = await runProducer([
      'replay',
      FILE,
      '--kafka',
      requireEnv('KAFKA_BROKERS'),
      '--prefix',
      prefix,
      '--json',
    ]);
    expect(replayed.code, replayed.stderr).toBe(0);
    const summary = JSON.parse(replayed.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      rows: expected.rows,
      valid: expected.rows - expected.noDistrict,
      rejectedRows: expected.noDistrict,
      rejectReasons: { 'District is empty': expected.noDistrict },
      sent: expected.rows - expected.noDistrict,
    });

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const stored = async () =>
        Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM incidents')).rows[0]?.n);
      await waitFor(
        `all ${expected.rows - expected.noDistrict} events stored`,
        async () => ((await stored()) >= expected.rows - expected.noDistrict ? true : undefined),
        { timeoutMs: 240_000, intervalMs: 500 },
      );
      expect(await stored()).toBe(expected.rows - expected.noDistrict);
      const { rows } = await client.query<{ key: string; n: string }>(
        `SELECT district || '|' || to_char(occurred_at AT TIME ZONE 'America/Chicago', 'YYYY-MM-DD') AS key,
                count(*) AS n FROM incidents GROUP BY 1`,
      );
      expect(new Map(rows.map((row) => [row.key, Number(row.n)]))).toEqual(expected.byDistrictDay);
    } finally {
      await client.end();
    }

    // The same counts through the API: one district, one month, day by day.
    const response = await backend.fetch(
      '/api/stats/daily?district=CHI-011&from=2017-03-01T06:00:00Z&to=2017-04-01T05:00:00Z',
    );
    expect(response.status).toBe(200);
    const stats = (await response.json()) as { days: { day: string; total: number }[] };
    expect(stats.days).toHaveLength(31);
    for (const { day, total } of stats.days) expect(total).toBe(expected.byDistrictDay.get(`CHI-011|${day}`));
  });

  it('lists the registry and refuses bad statistics requests with a reason', async () => {
    const registry = (await (await backend.fetch('/api/districts')).json()) as {
      units: { code: string }[];
    };
    expect(registry.units).toHaveLength(23);
    const answer = async (query: string) => {
      const response = await backend.fetch(`/api/stats/daily?${query}`);
      return `${response.status} ${((await response.json()) as { message: string }).message}`;
    };
    expect(await answer('district=CHI-013&from=2017-01-01&to=2017-02-01')).toBe(
      '404 district: unknown district "CHI-013" in region CHI',
    );
    expect(await answer('district=chicago&from=2017-01-01&to=2017-02-01')).toMatch(
      /^400 district: expected a district code/,
    );
    expect(await answer('district=CHI-001&from=yesterday&to=2017-02-01')).toMatch(
      /^400 from: expected an ISO 8601/,
    );
    expect(await answer('district=CHI-001&from=2017-02-01&to=2017-01-01')).toBe(
      '400 from: must be before to',
    );
  });
});
