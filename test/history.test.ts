import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  HistoryDistrictAnswer,
  HistoryHead,
  HistoryMetaAnswer,
  HistoryYearAnswer,
} from '@district-monitor/streams';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { HistorySourceCsv } from './helpers/history-source.js';
import { createDatabase } from './helpers/services.js';

/**
 * The district history (issue 16 items 1-2) through the running backend, on the embedded PGlite with
 * TimescaleDB and on a plain PostgreSQL server: 20 (unit, head, year) cells drawn at random equal the figure
 * recomputed straight from the source CSV named for them; rates, 400s, the user's district scope, and a
 * load that happens once per version of the file.
 */

/** A small seeded generator, so a failing draw can be repeated (the seed is in the failure message). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

async function json<T>(
  backend: RunningBackend,
  path: string,
  token?: string,
): Promise<{ status: number; body: T }> {
  const response = await backend.fetch(path, {}, token);
  return { status: response.status, body: (await response.json()) as T };
}

async function checkRandomCells(backend: RunningBackend, source: HistorySourceCsv): Promise<void> {
  const { body: meta } = await json<HistoryMetaAnswer>(backend, '/api/history/meta');
  const seed = Date.now() % 1_000_000;
  const random = generator(seed);
  const pick = <T>(list: readonly T[]): T => {
    const item = list[Math.floor(random() * list.length)];
    if (item === undefined) throw new Error('empty list');
    return item;
  };
  const checked: string[] = [];
  let figures = 0;
  while (checked.length < 20) {
    const head: HistoryHead = pick(meta.heads);
    const withSource = meta.years.flatMap((year, y) => (head.sources[y] === null ? [] : [{ year, y }]));
    const { year, y } = pick(withSource);
    const unit = pick(meta.units);
    const file = meta.sources.find((s) => s.id === head.sources[y])?.file ?? '';
    const { body: answer } = await json<HistoryYearAnswer>(
      backend,
      `/api/history?head=${head.code}&year=${year}`,
    );
    const cell = answer.cells.find((c) => c.unit === unit.code);
    const label = `seed ${seed}: ${unit.code} ${head.code} ${year} (${file})`;
    expect(cell, label).toBeDefined();
    // A unit that did not report that year on its own (carried by its parent) has no figure: the CSV has no row.
    expect(cell?.value ?? null, label).toBe(source.expected(file, head, unit.code, year));
    expect(cell?.source, label).toBe(cell?.value === null ? null : head.sources[y]);
    if (cell?.value != null && cell.population !== null)
      expect(cell.ratePer100k, label).toBeCloseTo((cell.value / cell.population) * 100_000, 2);
    if (cell?.value != null) figures += 1;
    checked.push(label);
  }
  // Most drawn cells hold a figure (a null is a district not yet reporting on its own): a real comparison.
  expect(figures, `seed ${seed}`).toBeGreaterThanOrEqual(10);
}

function historyBehaviour(name: string, start: () => Promise<RunningBackend>): void {
  describe(`district history on ${name}`, () => {
    let backend: RunningBackend;
    let source: HistorySourceCsv;

    beforeAll(async () => {
      source = await HistorySourceCsv.open();
      backend = await start();
    });
    afterAll(async () => {
      await backend.stop('SIGTERM');
    });

    it('serves what the history holds, with 2015 missing and a source file for every head and year', async () => {
      const { status, body } = await json<HistoryMetaAnswer>(backend, '/api/history/meta');
      expect(status).toBe(200);
      expect(body.region).toBe('TN');
      expect(body.version).toMatch(/^[0-9a-f]{64}$/);
      expect(body.years[0]).toBe(2001);
      expect(body.years.at(-1)).toBe(2022);
      expect(body.missingYears.map((m) => m.year)).toEqual([2015]);
      expect(body.heads.map((h) => h.code)).toEqual(
        expect.arrayContaining(['ipc_total', 'women_total', 'children_total', 'sc_total', 'road_accidents']),
      );
      expect(body.units.filter((u) => u.kind === 'district')).toHaveLength(38);
      expect(body.populationBasis).toMatch(/census 2011/i);
      expect(backend.output()).toMatch(/loaded history .*tamil-nadu\.json version [0-9a-f]{12}/);
    });

    it('gives, for 20 cells drawn at random, the figure recomputed from the source CSV', async () => {
      await checkRandomCells(backend, source);
    });

    it('gives one district every head over every year, with rates per 100,000 of its population', async () => {
      const { status, body } = await json<HistoryDistrictAnswer>(backend, '/api/history/districts/TN-DPI');
      expect(status).toBe(200);
      const y2003 = body.years.indexOf(2003);
      const y2022 = body.years.indexOf(2022);
      // Dharmapuri carried Krishnagiri until 2003: its rate divides by both census 2011 populations.
      expect(body.carries[y2003]).toEqual(['TN-KGI']);
      expect(body.population[y2003]).toBe(1_506_843 + 1_879_809);
      expect(body.population[y2022]).toBe(1_506_843);
      const ipc = body.series.find((s) => s.head === 'ipc_total');
      const value = ipc?.values[y2022] ?? null;
      expect(value).toBe(
        source.expected(
          'ncrb/districtwise-ipc-crimes-2017-onwards.csv',
          { group: 'ipc', measure: 'cases' },
          'TN-DPI',
          2022,
        ),
      );
      expect(ipc?.ratesPer100k[y2022]).toBeCloseTo(((value ?? NaN) / 1_506_843) * 100_000, 2);
    });

    it('refuses bad parameters with a 400 that names them', async () => {
      const cases: [string, RegExp][] = [
        ['/api/history?year=2022', /^head: required/],
        ['/api/history?head=nope&year=2022', /^head: unknown head "nope"/],
        ['/api/history?head=ipc_total', /^year: required/],
        ['/api/history?head=ipc_total&year=20x2', /^year: "20x2" is not a four-digit year/],
        ['/api/history?head=ipc_total&year=2015', /^year: 2015 has no figures/],
        ['/api/history?head=ipc_total&year=1999', /^year: 1999 is outside the history/],
      ];
      for (const [path, message] of cases) {
        const { status, body } = await json<{ message: string }>(backend, path);
        expect(status, path).toBe(400);
        expect(body.message, path).toMatch(message);
      }
      expect((await json(backend, '/api/history/districts/TN-NOPE')).status).toBe(404);
    });

    it('keeps a scoped user to their districts', async () => {
      const created = await backend.fetch('/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'history-viewer',
          password: 'history-viewer-password',
          role: 'viewer',
          districts: ['TN-MDU'],
        }),
      });
      expect(created.status).toBe(201);
      const token = await backend.login('history-viewer', 'history-viewer-password');
      const meta = await json<HistoryMetaAnswer>(backend, '/api/history/meta', token);
      expect(meta.body.units.map((u) => u.code)).toEqual(['TN-MDU']);
      const year = await json<HistoryYearAnswer>(backend, '/api/history?head=ipc_total&year=2010', token);
      expect(year.body.cells.map((c) => c.unit)).toEqual(['TN-MDU']);
      expect((await json(backend, '/api/history/districts/TN-MDU', token)).status).toBe(200);
      const other = await json<{ message: string }>(backend, '/api/history/districts/TN-CHN', token);
      expect(other.status).toBe(403);
      expect(other.body.message).toMatch(/outside what user "history-viewer" may see/);
    });
  });
}

describe('embedded PGlite with TimescaleDB', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'history-'));
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  historyBehaviour('PGlite', () => startBackend({ DATA_DIR: dataDir, SIMULATOR: 'off' }));

  it('does not load the same version again on the next start', async () => {
    const again = await startBackend({ DATA_DIR: dataDir, SIMULATOR: 'off' });
    try {
      expect(again.output()).toMatch(/history version [0-9a-f]{12} already stored/);
      expect((await json<HistoryMetaAnswer>(again, '/api/history/meta')).status).toBe(200);
    } finally {
      await again.stop('SIGTERM');
    }
  });
});

describe('plain PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  afterAll(async () => {
    await database?.drop();
  });
  historyBehaviour('PostgreSQL', async () => {
    database = await createDatabase();
    return startBackend({ DATABASE_URL: database.url, SIMULATOR: 'off' });
  });

  it('reloads when the stored version differs from the file, and only then', async () => {
    const url = database?.url ?? '';
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("UPDATE history_versions SET version = 'older' WHERE region = 'TN'");
      await client.query("DELETE FROM history_values WHERE region = 'TN' AND unit = 'TN-CHN'");
      const again = await startBackend({ DATABASE_URL: url, SIMULATOR: 'off' });
      try {
        expect(again.output()).toMatch(/loaded history .* version [0-9a-f]{12}/);
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM history_values WHERE region = 'TN' AND unit = 'TN-CHN'",
        );
        expect(rows[0]?.n).toBeGreaterThan(0);
        const versions = await client.query<{ version: string }>('SELECT version FROM history_versions');
        expect(versions.rows.map((r) => r.version)).toEqual([
          (await json<HistoryMetaAnswer>(again, '/api/history/meta')).body.version,
        ]);
      } finally {
        await again.stop('SIGTERM');
      }
    } finally {
      await client.end();
    }
  });
});
