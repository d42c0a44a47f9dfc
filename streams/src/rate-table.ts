import { z } from 'zod';
import { CATEGORIES, type Category } from './categories.js';

/**
 * What the calibrated simulator draws from: expected yearly counts per district and category, accident
 * severity, and the time profiles (each averages 1 over its cycle). Generated from real data by a
 * script under `data/scripts/`, which names its sources in `$comment` / `sources`.
 */
export interface RateTable {
  readonly region: string;
  readonly sources: readonly string[];
  /** Expected events per year, per district code and category. */
  readonly yearly: Readonly<Record<string, Readonly<Partial<Record<Category, number>>>>>;
  readonly killedPerAccident: Readonly<Record<string, number>>;
  readonly injuredPerAccident: number;
  readonly profiles: Readonly<Record<'crime' | 'accident', TimeProfile>>;
}

export interface TimeProfile {
  /** 24 factors, local hour 0-23. */
  readonly hourOfDay: readonly number[];
  /** 7 factors, Sunday first. */
  readonly dayOfWeek: readonly number[];
  /** 12 factors, January first. */
  readonly monthOfYear: readonly number[];
}

const factors = (length: number) => z.array(z.number().nonnegative()).length(length);
const profileSchema = z.strictObject({
  hourOfDay: factors(24),
  dayOfWeek: factors(7),
  monthOfYear: factors(12),
});

const rateTableSchema = z.object({
  region: z.string().min(1),
  sources: z.array(z.string()).min(1),
  yearly: z.record(
    z.string(),
    z.partialRecord(z.enum(CATEGORIES as [Category, ...Category[]]), z.number().nonnegative()),
  ),
  killedPerAccident: z.record(z.string(), z.number().nonnegative()),
  injuredPerAccident: z.number().nonnegative(),
  profiles: z.strictObject({ crime: profileSchema, accident: profileSchema }),
});

/** Parses a rate table file's JSON; throws naming the file and the problems. */
export function parseRateTable(value: unknown, sourceName: string): RateTable {
  const parsed = rateTableSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid rate table ${sourceName}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** A profile of ones: no time pattern. */
export const FLAT_PROFILE: TimeProfile = {
  hourOfDay: Array.from({ length: 24 }, () => 1),
  dayOfWeek: Array.from({ length: 7 }, () => 1),
  monthOfYear: Array.from({ length: 12 }, () => 1),
};
