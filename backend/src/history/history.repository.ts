import { Inject, Injectable } from '@nestjs/common';
import type { HistoryDataset, HistoryMetaAnswer } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database, Queryable } from '../database/database.js';

/** What the database keeps of a history file besides its figures (the file's descriptive part). */
export type StoredHistoryMeta = Omit<HistoryMetaAnswer, 'version' | 'units'> & {
  readonly formatVersion: number;
  readonly units: HistoryMetaAnswer['units'];
};

export interface StoredValue {
  readonly unit: string;
  readonly head: string;
  readonly year: number;
  readonly value: number;
  readonly source: string;
}

export interface StoredPopulation {
  readonly unit: string;
  readonly year: number;
  readonly population: number;
  readonly estimated: boolean;
  readonly carries: readonly string[];
}

/** Rows per INSERT: unnest() of a few arrays keeps the parameter list short on PGlite. */
const CHUNK = 2000;

/** The district history tables (migration 9): loading a file, reading figures and populations. */
@Injectable()
export class HistoryRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Loads the dataset unless this version is already stored: replaces the region's rows in one transaction,
   * under an advisory lock (replicas may start together). Returns whether it loaded.
   */
  async sync(dataset: HistoryDataset, version: string): Promise<{ loaded: boolean; values: number }> {
    return this.db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('district-monitor history'))");
      const { rows } = await tx.query<{ version: string }>(
        'SELECT version FROM history_versions WHERE region = $1',
        [dataset.region],
      );
      if (rows[0]?.version === version) return { loaded: false, values: 0 };
      for (const table of ['history_values', 'history_populations', 'history_versions'])
        await tx.query(`DELETE FROM ${table} WHERE region = $1`, [dataset.region]);
      const values = await insertValues(tx, dataset);
      await insertPopulations(tx, dataset);
      await tx.query('INSERT INTO history_versions (region, version, meta) VALUES ($1, $2, $3::jsonb)', [
        dataset.region,
        version,
        JSON.stringify(metaOf(dataset)),
      ]);
      return { loaded: true, values };
    });
  }

  /** The stored version and descriptive part, or undefined when no history is stored for the region. */
  async meta(region: string): Promise<{ version: string; meta: StoredHistoryMeta } | undefined> {
    const { rows } = await this.db.query<{ version: string; meta: StoredHistoryMeta | string }>(
      'SELECT version, meta FROM history_versions WHERE region = $1',
      [region],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    // pg parses jsonb; a driver that does not hands back text.
    const meta = typeof row.meta === 'string' ? (JSON.parse(row.meta) as StoredHistoryMeta) : row.meta;
    return { version: row.version, meta };
  }

  /** Figures of one head and year; `units` null = every unit. */
  async valuesOfYear(
    region: string,
    head: string,
    year: number,
    units: readonly string[] | null,
  ): Promise<StoredValue[]> {
    const { rows } = await this.db.query<StoredValue>(
      `SELECT unit, head, year, value, source FROM history_values
        WHERE region = $1 AND head = $2 AND year = $3 AND ($4::text[] IS NULL OR unit = ANY($4::text[]))`,
      [region, head, year, units],
    );
    return rows;
  }

  /** Populations of one year; `units` null = every unit. */
  async populationsOfYear(
    region: string,
    year: number,
    units: readonly string[] | null,
  ): Promise<StoredPopulation[]> {
    const { rows } = await this.db.query<StoredPopulation>(
      `SELECT unit, year, population, estimated, carries FROM history_populations
        WHERE region = $1 AND year = $2 AND ($3::text[] IS NULL OR unit = ANY($3::text[]))`,
      [region, year, units],
    );
    return rows;
  }

  /** Every figure of one unit. */
  async valuesOfUnit(region: string, unit: string): Promise<StoredValue[]> {
    const { rows } = await this.db.query<StoredValue>(
      'SELECT unit, head, year, value, source FROM history_values WHERE region = $1 AND unit = $2',
      [region, unit],
    );
    return rows;
  }

  /** Every population of one unit. */
  async populationsOfUnit(region: string, unit: string): Promise<StoredPopulation[]> {
    const { rows } = await this.db.query<StoredPopulation>(
      'SELECT unit, year, population, estimated, carries FROM history_populations WHERE region = $1 AND unit = $2',
      [region, unit],
    );
    return rows;
  }
}

function metaOf(dataset: HistoryDataset): StoredHistoryMeta {
  return {
    formatVersion: dataset.formatVersion,
    region: dataset.region,
    years: dataset.years,
    missingYears: dataset.missingYears,
    populationBasis: dataset.populationBasis,
    rules: dataset.rules,
    sources: dataset.sources,
    heads: dataset.heads,
    units: dataset.units.map(({ code, name, kind, census, firstYear, note }) => ({
      code,
      name,
      kind,
      census,
      firstYear,
      note,
    })),
  };
}

async function insertValues(tx: Queryable, dataset: HistoryDataset): Promise<number> {
  const rows: [string, string, number, number, string][] = [];
  dataset.units.forEach((unit, u) => {
    dataset.heads.forEach((head, h) => {
      dataset.years.forEach((year, y) => {
        const value = dataset.values[u]?.[h]?.[y] ?? null;
        const source = head.sources[y] ?? null;
        if (value !== null && source !== null) rows.push([unit.code, head.code, year, value, source]);
      });
    });
  });
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    await tx.query(
      `INSERT INTO history_values (region, unit, head, year, value, source)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::text[])`,
      [
        dataset.region,
        chunk.map((r) => r[0]),
        chunk.map((r) => r[1]),
        chunk.map((r) => r[2]),
        chunk.map((r) => r[3]),
        chunk.map((r) => r[4]),
      ],
    );
  }
  return rows.length;
}

async function insertPopulations(tx: Queryable, dataset: HistoryDataset): Promise<void> {
  const rows: [string, number, number, boolean, string][] = [];
  for (const unit of dataset.units)
    dataset.years.forEach((year, y) => {
      const population = unit.population[y] ?? null;
      if (population !== null)
        rows.push([
          unit.code,
          year,
          population,
          unit.estimated[y] ?? false,
          (unit.carries[y] ?? []).join(','),
        ]);
    });
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    await tx.query(
      `INSERT INTO history_populations (region, unit, year, population, estimated, carries)
       SELECT $1, u, y, p, e, string_to_array(c, ',')
         FROM unnest($2::text[], $3::int[], $4::int[], $5::boolean[], $6::text[]) AS t(u, y, p, e, c)`,
      [
        dataset.region,
        chunk.map((r) => r[0]),
        chunk.map((r) => r[1]),
        chunk.map((r) => r[2]),
        chunk.map((r) => r[3]),
        chunk.map((r) => r[4]),
      ],
    );
  }
}
