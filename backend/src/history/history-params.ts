import { BadRequestException } from '@nestjs/common';
import type { HistoryHead } from '@district-monitor/streams';

/** What the parameter checks need of the loaded history. */
export interface HistoryShape {
  readonly years: readonly number[];
  readonly missingYears: readonly { readonly year: number; readonly reason: string }[];
  readonly heads: readonly Pick<HistoryHead, 'code'>[];
}

/** `head`: one of the dataset's head codes; 400 naming the known ones otherwise. */
export function parseHead(raw: unknown, shape: HistoryShape): string {
  const known = shape.heads.map((head) => head.code);
  if (typeof raw !== 'string' || raw === '')
    throw new BadRequestException(`head: required, one of ${known.join(', ')}`);
  if (!known.includes(raw))
    throw new BadRequestException(`head: unknown head "${raw}"; one of ${known.join(', ')}`);
  return raw;
}

/** `year`: a whole year the dataset holds; 400 for a malformed, missing or out-of-range year. */
export function parseYear(raw: unknown, shape: HistoryShape): number {
  const first = shape.years[0];
  const last = shape.years[shape.years.length - 1];
  const range = `${first ?? '?'}-${last ?? '?'}`;
  if (typeof raw !== 'string' || raw === '')
    throw new BadRequestException(`year: required, a year in ${range}`);
  if (!/^\d{4}$/.test(raw)) throw new BadRequestException(`year: "${raw}" is not a four-digit year`);
  const year = Number(raw);
  const missing = shape.missingYears.find((m) => m.year === year);
  if (missing !== undefined)
    throw new BadRequestException(`year: ${year} has no figures (${missing.reason})`);
  if (!shape.years.includes(year))
    throw new BadRequestException(`year: ${year} is outside the history (${range})`);
  return year;
}

/** A rate per 100,000 people, two decimals; null when the count or the population is missing. */
export function ratePer100k(value: number | null, population: number | null): number | null {
  if (value === null || population === null || population <= 0) return null;
  return Math.round((value / population) * 100_000 * 100) / 100;
}
