import { normaliseUnitName, type MonitorEvent, type Region, type Severity } from '@district-monitor/streams';
import type { RowMapper } from '@district-monitor/streams/producers';
import { chicagoCategory } from '../categories.js';
import { zonedWallTimeToUtc } from './zoned-time.js';

/** Columns of the City of Chicago "Crimes - 2001 to present" export that the replay reads. */
export const CHICAGO_COLUMNS = {
  id: 'ID',
  date: 'Date',
  primaryType: 'Primary Type',
  district: 'District',
  latitude: 'Latitude',
  longitude: 'Longitude',
} as const;

const SEVERITY: Readonly<Record<string, Severity>> = {
  HOMICIDE: 'critical',
  'CRIM SEXUAL ASSAULT': 'critical',
  KIDNAPPING: 'critical',
  'HUMAN TRAFFICKING': 'critical',
  BATTERY: 'high',
  ASSAULT: 'high',
  ROBBERY: 'high',
  'WEAPONS VIOLATION': 'high',
  ARSON: 'high',
  'SEX OFFENSE': 'high',
  'OFFENSE INVOLVING CHILDREN': 'high',
  'NON-CRIMINAL': 'low',
  'NON-CRIMINAL (SUBJECT SPECIFIED)': 'low',
  'LIQUOR LAW VIOLATION': 'low',
  GAMBLING: 'low',
};

/** The export's local time, `MM/DD/YYYY hh:mm:ss AM|PM`. */
const DATE = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2}) (AM|PM)$/;

/**
 * Maps Chicago export rows to incident events of a region whose district spellings are the export's
 * district numbers ("001"). The report time is not in the export, so `reportedAt` is the occurrence.
 */
export function chicagoRowMapper(region: Region): RowMapper {
  const bySpelling = new Map<string, string>();
  for (const unit of region.units) {
    for (const spelling of unit.spellings ?? []) bySpelling.set(normaliseUnitName(spelling), unit.code);
  }
  const offsets = new Map<string, number>();
  const c = CHICAGO_COLUMNS;

  return (row) => {
    const id = row[c.id]?.trim() ?? '';
    if (id === '') return { ok: false, reason: `${c.id} is empty` };
    const rawDistrict = row[c.district]?.trim() ?? '';
    if (rawDistrict === '') return { ok: false, reason: `${c.district} is empty` };
    const district = bySpelling.get(normaliseUnitName(rawDistrict));
    if (district === undefined) {
      return { ok: false, reason: `${c.district} "${rawDistrict}" is not a district of ${region.name}` };
    }
    const date = DATE.exec(row[c.date]?.trim() ?? '');
    if (date === null)
      return { ok: false, reason: `${c.date} "${row[c.date] ?? ''}" is not MM/DD/YYYY hh:mm:ss AM/PM` };
    const [month, day, year, hour12, minute, second] = date.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const hour = (hour12 % 12) + (date[7] === 'PM' ? 12 : 0);
    const instant = zonedWallTimeToUtc({ year, month, day, hour, minute, second }, region.timeZone, offsets);
    const primaryType = row[c.primaryType]?.trim() ?? '';
    const at = new Date(instant).toISOString();
    const lat = Number(row[c.latitude]);
    const lon = Number(row[c.longitude]);
    const located =
      row[c.latitude] !== '' && row[c.longitude] !== '' && Number.isFinite(lat) && Number.isFinite(lon);
    const event: MonitorEvent = {
      eventId: `chicago-${id}`,
      schemaVersion: 1,
      kind: 'incident',
      district,
      category: chicagoCategory(primaryType),
      severity: SEVERITY[primaryType] ?? 'medium',
      occurredAt: at,
      reportedAt: at,
      ...(located ? { location: { lat, lon } } : {}),
      source: 'chicago-replay',
    };
    return { ok: true, event };
  };
}
