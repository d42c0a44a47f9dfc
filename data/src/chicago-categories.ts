import type { IncidentCategory } from '@district-monitor/streams';

/**
 * Chicago Police "Primary Type" -> product category. Types not listed are `other`
 * (narcotics, public peace violation, liquor law, gambling, ...).
 */
export const CHICAGO_PRIMARY_TYPES: Readonly<Record<string, IncidentCategory>> = {
  THEFT: 'crime_property',
  BURGLARY: 'crime_property',
  ROBBERY: 'crime_property',
  'MOTOR VEHICLE THEFT': 'crime_property',
  'CRIMINAL DAMAGE': 'crime_property',
  'DECEPTIVE PRACTICE': 'crime_property',
  ARSON: 'crime_property',
  BATTERY: 'crime_body',
  ASSAULT: 'crime_body',
  HOMICIDE: 'crime_body',
  KIDNAPPING: 'crime_body',
  'WEAPONS VIOLATION': 'crime_body',
  'CRIM SEXUAL ASSAULT': 'crime_women',
  'SEX OFFENSE': 'crime_women',
  'HUMAN TRAFFICKING': 'crime_women',
  'OFFENSE INVOLVING CHILDREN': 'crime_children',
  STALKING: 'harassment',
  INTIMIDATION: 'harassment',
};

/** Maps a Chicago incident's Primary Type (any case, surrounding spaces ignored) to a product category. */
export function chicagoCategory(primaryType: string): IncidentCategory {
  return CHICAGO_PRIMARY_TYPES[primaryType.trim().toUpperCase()] ?? 'other';
}
