import { normaliseUnitName, type MonitorEvent, type Region, type Severity } from '@district-monitor/streams';
import type { RowMapper } from '@district-monitor/streams/producers';
import { chicagoCategory } from '../categories.js';
import { chicagoLocation, chicagoWallTime } from '../chicago.js';
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
    const wall = chicagoWallTime(row[c.date] ?? '');
    if (wall === undefined)
      return { ok: false, reason: `${c.date} "${row[c.date] ?? ''}" is not MM/DD/YYYY hh:mm:ss AM/PM` };
    const instant = zonedWallTimeToUtc(wall, region.timeZone, offsets);
    const primaryType = row[c.primaryType]?.trim() ?? '';
    const at = new Date(instant).toISOString();
    const location = chicagoLocation(row[c.latitude], row[c.longitude]);
    const event: MonitorEvent = {
      eventId: `chicago-${id}`,
      schemaVersion: 1,
      kind: 'incident',
      district,
      category: chicagoCategory(primaryType),
      severity: SEVERITY[primaryType] ?? 'medium',
      occurredAt: at,
      reportedAt: at,
      ...(location === undefined ? {} : { location }),
      source: 'chicago-replay',
    };
    return { ok: true, event };
  };
}
