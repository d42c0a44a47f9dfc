import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';

/** The backfill's plan and how far it came (the `simulation_backfill` row, migration 9). */
export interface BackfillPlan {
  /** Simulated span, epoch ms. */
  readonly from: number;
  readonly until: number;
  readonly seed: number;
  /** The simulator's multiplier of the rate table's volume. */
  readonly multiplier: number;
  /** Simulated time up to which every event is stored (epoch ms); null before the first batch. */
  readonly reached: number | null;
  /** Events published by the backfill so far, over every run of this plan. */
  readonly events: number;
  readonly finishedAt: number | null;
}

interface PlanRow {
  from_at: Date | string;
  until_at: Date | string;
  seed: number;
  multiplier: number;
  reached_at: Date | string | null;
  events: number | string;
  finished_at: Date | string | null;
}

const time = (value: Date | string): number => new Date(value).getTime();

/** Reads and writes the one backfill plan of a database. */
@Injectable()
export class BackfillRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async read(): Promise<BackfillPlan | undefined> {
    const { rows } = await this.db.query<PlanRow>(
      'SELECT from_at, until_at, seed, multiplier, reached_at, events, finished_at FROM simulation_backfill WHERE id = 1',
    );
    const [row] = rows;
    if (row === undefined) return undefined;
    return {
      from: time(row.from_at),
      until: time(row.until_at),
      seed: row.seed,
      multiplier: row.multiplier,
      reached: row.reached_at === null ? null : time(row.reached_at),
      // bigint comes back as a string from pg.
      events: Number(row.events),
      finishedAt: row.finished_at === null ? null : time(row.finished_at),
    };
  }

  /** Records a new plan unless one exists (another replica's); returns the plan in force. */
  async create(plan: Pick<BackfillPlan, 'from' | 'until' | 'seed' | 'multiplier'>): Promise<BackfillPlan> {
    await this.db.query(
      `INSERT INTO simulation_backfill (id, from_at, until_at, seed, multiplier)
       VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
      [new Date(plan.from).toISOString(), new Date(plan.until).toISOString(), plan.seed, plan.multiplier],
    );
    const stored = await this.read();
    if (stored === undefined) throw new Error('the backfill plan was not recorded');
    return stored;
  }

  /** Every event before `reached` is stored; `events` in all. */
  async progress(reached: number, events: number): Promise<void> {
    await this.db.query('UPDATE simulation_backfill SET reached_at = $1, events = $2 WHERE id = 1', [
      new Date(reached).toISOString(),
      events,
    ]);
  }

  async finish(): Promise<void> {
    await this.db.query('UPDATE simulation_backfill SET finished_at = now() WHERE id = 1');
  }
}
