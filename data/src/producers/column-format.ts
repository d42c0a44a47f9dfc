import {
  CATEGORIES,
  normaliseUnitName,
  type Category,
  type MonitorEvent,
  type Region,
} from '@district-monitor/streams';
import type { RowMapper } from '@district-monitor/streams/producers';
import { zonedWallTimeToUtc } from './zoned-time.js';

/** Which CSV column holds each field; `lat`/`lon` optional. */
export interface ColumnMapping {
  readonly id: string;
  readonly time: string;
  readonly district: string;
  readonly category: string;
  readonly lat?: string;
  readonly lon?: string;
}

const FIELDS = ['id', 'time', 'district', 'category', 'lat', 'lon'] as const;

/** Reads `id=ID,time=Date,district=District,category=Type[,lat=..,lon=..]`; throws naming the problem. */
export function parseColumnMapping(spec: string): ColumnMapping {
  const entries = spec.split(',').map((pair) => pair.split('=').map((part) => part.trim()));
  const mapping: Partial<Record<(typeof FIELDS)[number], string>> = {};
  for (const [field, column, ...rest] of entries) {
    if (field === undefined || column === undefined || column === '' || rest.length > 0) {
      throw new RangeError(`--columns: expected field=column pairs separated by commas, got "${spec}"`);
    }
    if (!(FIELDS as readonly string[]).includes(field)) {
      throw new RangeError(`--columns: unknown field "${field}" (fields: ${FIELDS.join(', ')})`);
    }
    mapping[field as (typeof FIELDS)[number]] = column;
  }
  const missing = (['id', 'time', 'district', 'category'] as const).filter(
    (field) => mapping[field] === undefined,
  );
  if (missing.length > 0) throw new RangeError(`--columns: missing ${missing.join(', ')}`);
  return mapping as ColumnMapping;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Maps rows of any incident CSV by a column mapping. Times: ISO 8601 with a zone, or `YYYY-MM-DD hh:mm[:ss]`
 * read in the region's zone. Districts: a registry code or any spelling. Categories: a product category, or
 * a value of `categoryMap`; anything else is refused with its value, never guessed.
 */
export function columnRowMapper(
  region: Region,
  columns: ColumnMapping,
  categoryMap: Readonly<Record<string, Category>> = {},
  source = 'csv-replay',
): RowMapper {
  const districts = new Map<string, string>();
  for (const unit of region.units) {
    if (unit.kind !== 'district') continue;
    districts.set(normaliseUnitName(unit.code), unit.code);
    for (const spelling of [unit.name, ...(unit.spellings ?? [])])
      districts.set(normaliseUnitName(spelling), unit.code);
  }
  const offsets = new Map<string, number>();
  const read = (row: Readonly<Record<string, string>>, column: string) => row[column]?.trim() ?? '';

  return (row) => {
    const id = read(row, columns.id);
    if (id === '') return { ok: false, reason: `${columns.id} is empty` };
    const rawDistrict = read(row, columns.district);
    const district = districts.get(normaliseUnitName(rawDistrict));
    if (district === undefined) {
      return {
        ok: false,
        reason: `${columns.district} "${rawDistrict}" is not a district of ${region.name}`,
      };
    }
    const rawTime = read(row, columns.time);
    const local = LOCAL.exec(rawTime);
    const instant = local
      ? zonedWallTimeToUtc(
          {
            year: Number(local[1]),
            month: Number(local[2]),
            day: Number(local[3]),
            hour: Number(local[4]),
            minute: Number(local[5]),
            second: Number(local[6] ?? 0),
          },
          region.timeZone,
          offsets,
        )
      : /(Z|[+-]\d{2}:\d{2})$/.test(rawTime)
        ? Date.parse(rawTime)
        : NaN;
    if (!Number.isFinite(instant)) {
      return {
        ok: false,
        reason: `${columns.time} "${rawTime}" is not an ISO 8601 time or YYYY-MM-DD hh:mm[:ss]`,
      };
    }
    const rawCategory = read(row, columns.category);
    const category =
      categoryMap[rawCategory] ??
      ((CATEGORIES as readonly string[]).includes(rawCategory) ? (rawCategory as Category) : undefined);
    if (category === undefined)
      return { ok: false, reason: `${columns.category} "${rawCategory}" has no category mapping` };
    if (category === 'road_accident') {
      return {
        ok: false,
        reason: `${columns.category} "${rawCategory}": road accidents need casualty columns; replay incidents only`,
      };
    }
    const lat = columns.lat === undefined ? NaN : Number(read(row, columns.lat) || NaN);
    const lon = columns.lon === undefined ? NaN : Number(read(row, columns.lon) || NaN);
    const at = new Date(instant).toISOString();
    const event: MonitorEvent = {
      eventId: `${source}-${id}`,
      schemaVersion: 1,
      kind: 'incident',
      district,
      category: category,
      severity: 'medium',
      occurredAt: at,
      reportedAt: at,
      ...(Number.isFinite(lat) && Number.isFinite(lon) ? { location: { lat, lon } } : {}),
      source,
    };
    return { ok: true, event };
  };
}
