/**
 * The product's fixed category vocabulary. Each category maps to NCRB heads and to one of the
 * research prototype's data modalities (crime, suicide, harassment, road accident).
 */
export const INCIDENT_CATEGORIES = [
  /** Murder, attempt, hurt, grievous hurt, rioting: NCRB "crimes against the human body". */
  'crime_body',
  /** Theft, burglary, robbery, dacoity, cheating: NCRB "crimes against property". */
  'crime_property',
  /** Rape, assault on women, cruelty by husband or relatives, dowry deaths: NCRB "crimes against women". */
  'crime_women',
  /** Kidnapping, POCSO and other offences against children: NCRB "crimes against children". */
  'crime_children',
  /** Suicides and abetment of suicide. */
  'suicide',
  /** Harassment, stalking, insult to the modesty of women, criminal intimidation. */
  'harassment',
  /** Any other cognisable offence. */
  'other',
] as const;

/** Road accidents are the only accident category; their casualties travel in the event. */
export const ACCIDENT_CATEGORIES = ['road_accident'] as const;

export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];
export type AccidentCategory = (typeof ACCIDENT_CATEGORIES)[number];
export type Category = IncidentCategory | AccidentCategory;

export const CATEGORIES: readonly Category[] = [...INCIDENT_CATEGORIES, ...ACCIDENT_CATEGORIES];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
