import pg from 'pg';
import type { SimulationStatus } from '@district-monitor/streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { createDatabase, waitFor } from './helpers/services.js';

/**
 * The backfill of simulated history against PostgreSQL (where it runs only when BACKFILL_DAYS is set):
 * killed in the middle, it resumes at the next start with the same event ids (each stored once), and a
 * database whose backfill finished is never backfilled again. About 20,700 events (120 days at
 * 0.002 events/s); no model training (MODEL_RETRAIN_HOURS=0).
 */
describe('backfill of simulated history', () => {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let client: pg.Client;
  let backend: RunningBackend | undefined;
  const env = (): Record<string, string> => ({
    DATABASE_URL: database.url,
    BACKFILL_DAYS: '120',
    SIMULATOR_RATE: '0.002',
    MODEL_RETRAIN_HOURS: '0',
  });

  beforeAll(async () => {
    database = await createDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await backend?.stop('SIGTERM');
    await client.end();
    await database.drop();
  });

  const status = async (running: RunningBackend): Promise<SimulationStatus> =>
    (await (await running.fetch('/api/simulation')).json()) as SimulationStatus;
  const stored = async (): Promise<{ ids: number; distinct: number }> => {
    const { rows } = await client.query<{ ids: number; distinct: number }>(
      `SELECT count(*)::int AS ids, count(DISTINCT event_id)::int AS distinct FROM event_ids
        WHERE event_id LIKE 'backfill-%'`,
    );
    return rows[0] ?? { ids: 0, distinct: 0 };
  };

  it('resumes after a kill with the same ids, each event stored once, and reports it done', async () => {
    const first = await startBackend(env());
    backend = first;
    await waitFor(
      'the backfill to be under way',
      async () => {
        const { backfill } = await status(first);
        return backfill.state === 'running' && backfill.events > 0 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    expect(await first.stop('SIGKILL')).toBeNull();
    const atKill = await stored();
    const plan = await client.query<{ reached_at: Date | null; finished_at: Date | null }>(
      'SELECT reached_at, finished_at FROM simulation_backfill',
    );
    expect(plan.rows[0]?.finished_at).toBeNull();

    const second = await startBackend(env());
    backend = second;
    const done = await waitFor(
      'the resumed backfill to finish',
      async () => {
        const current = await status(second);
        return current.backfill.state === 'done' ? current : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 250 },
    );
    expect(second.output()).toContain('resuming the backfill');
    expect(done.simulated).toBe(true);
    expect(done.backfill.fraction).toBe(1);
    const after = await stored();
    expect(after.ids).toBe(after.distinct);
    expect(after.ids).toBeGreaterThan(atKill.ids);
    // Every event the plan counts is stored, and nothing more: the overlap was absorbed by the ids.
    const { rows } = await client.query<{ events: string }>('SELECT events FROM simulation_backfill');
    expect(Number(rows[0]?.events)).toBe(after.ids);
    // 120 days at 0.002 events/s: 20,736 expected, Poisson noise and profiles aside.
    expect(after.ids).toBeGreaterThan(19_000);
    expect(after.ids).toBeLessThan(22_500);
    await second.stop('SIGTERM');

    const third = await startBackend(env());
    backend = third;
    const skipped = await waitFor('the third start to decide', async () => {
      const current = await status(third);
      return current.backfill.state === 'skipped' ? current : undefined;
    });
    expect(skipped.backfill.reason).toMatch(/^the backfill of .* finished at /);
    expect((await stored()).ids).toBe(after.ids);
  });
});
