import type { Category, IncidentCategory } from '@district-monitor/streams';

/**
 * The one place where source vocabularies meet the product's categories: NCRB heads (the count
 * columns of each NCRB table) and Chicago Police primary types.
 *
 * A head's category follows the first rule that applies:
 * 1. road traffic (hit and run, rash or negligent driving, deaths by negligent driving) -> `road_accident`;
 * 2. suicide: abetment of suicide, attempt to commit suicide -> `suicide`;
 * 3. the victim is a child: POCSO, "below 18", minors, foeticide, child marriage -> `crime_children`;
 * 4. harassment: insult to the modesty of women, sexual harassment, stalking, voyeurism,
 *    criminal intimidation -> `harassment`;
 * 5. the victim is a woman: rape, assault on women, dowry, cruelty by husband, trafficking, every
 *    other head of a "crimes against women" table -> `crime_women`;
 * 6. against the body: murder, culpable homicide, hurt, kidnapping, rioting, wrongful restraint -> `crime_body`;
 * 7. against property: theft, burglary, robbery, dacoity, cheating, forgery, counterfeiting,
 *    breach of trust, arson, mischief, extortion, criminal trespass -> `crime_property`;
 * 8. everything else -> `other` ("causing death by negligence" stays here where the table does not
 *    separate road deaths from other negligence).
 * Every other head of a "crimes against children" table is `crime_children`.
 */

/** How one column of a source table is read. */
export type HeadRule =
  /** A count of cases under this head. */
  | { readonly kind: 'count'; readonly category: Category }
  /** The sum of other heads of the same row: checked, never counted twice. */
  | { readonly kind: 'subtotal'; readonly parts: readonly string[] }
  /** The table's grand total: checked against the sum of its counted heads. */
  | { readonly kind: 'total' };

/** The NCRB table layouts of ../shared/data/ncrb, one per distinct header. */
export const NCRB_LAYOUTS = [
  'ipc-2001-2013',
  'ipc-2014',
  'ipc-2016',
  'ipc-2017',
  'women-2001-2012',
  'women-2017',
  'sc-2001-2012',
  'children-2001-2012',
] as const;
export type NcrbLayout = (typeof NCRB_LAYOUTS)[number];

const road = { kind: 'count', category: 'road_accident' } as const;
const suicide = { kind: 'count', category: 'suicide' } as const;
const children = { kind: 'count', category: 'crime_children' } as const;
const harassment = { kind: 'count', category: 'harassment' } as const;
const women = { kind: 'count', category: 'crime_women' } as const;
const body = { kind: 'count', category: 'crime_body' } as const;
const property = { kind: 'count', category: 'crime_property' } as const;
const other = { kind: 'count', category: 'other' } as const;
const total = { kind: 'total' } as const;
const subtotal = (...parts: string[]): HeadRule => ({ kind: 'subtotal', parts });

type HeadTable = Readonly<Record<string, HeadRule>>;

const IPC_2001_2013: HeadTable = {
  MURDER: body,
  'ATTEMPT TO MURDER': body,
  'CULPABLE HOMICIDE NOT AMOUNTING TO MURDER': body,
  RAPE: subtotal('CUSTODIAL RAPE', 'OTHER RAPE'),
  'CUSTODIAL RAPE': women,
  'OTHER RAPE': women,
  'KIDNAPPING & ABDUCTION': subtotal(
    'KIDNAPPING AND ABDUCTION OF WOMEN AND GIRLS',
    'KIDNAPPING AND ABDUCTION OF OTHERS',
  ),
  'KIDNAPPING AND ABDUCTION OF WOMEN AND GIRLS': women,
  'KIDNAPPING AND ABDUCTION OF OTHERS': body,
  DACOITY: property,
  'PREPARATION AND ASSEMBLY FOR DACOITY': property,
  ROBBERY: property,
  BURGLARY: property,
  THEFT: subtotal('AUTO THEFT', 'OTHER THEFT'),
  'AUTO THEFT': property,
  'OTHER THEFT': property,
  RIOTS: body,
  'CRIMINAL BREACH OF TRUST': property,
  CHEATING: property,
  COUNTERFIETING: property,
  ARSON: property,
  'HURT/GREVIOUS HURT': body,
  'DOWRY DEATHS': women,
  'ASSAULT ON WOMEN WITH INTENT TO OUTRAGE HER MODESTY': women,
  'INSULT TO MODESTY OF WOMEN': harassment,
  'CRUELTY BY HUSBAND OR HIS RELATIVES': women,
  'IMPORTATION OF GIRLS FROM FOREIGN COUNTRIES': women,
  'CAUSING DEATH BY NEGLIGENCE': other,
  'OTHER IPC CRIMES': other,
  'TOTAL IPC CRIMES': total,
};

const RIOT_KINDS = [
  'Riots_Communal',
  'Riots_Industrial',
  'Riots_Political',
  'Riots_Caste Conflict',
  'Riots_Agrarian',
  'Riots_Students',
  'Riots_Sectarian',
  'Riots_Others',
];

const IPC_2014: HeadTable = {
  Murder: body,
  'Attempt to commit Murder': body,
  'Culpable Homicide not amounting to Murder': body,
  'Attempt to commit Culpable Homicide': body,
  Rape: subtotal('Custodial Rape', 'Rape other than Custodial'),
  'Custodial Rape': subtotal('Custodial_Gang Rape', 'Custodial_Other Rape'),
  'Custodial_Gang Rape': women,
  'Custodial_Other Rape': women,
  'Rape other than Custodial': subtotal('Rape_Gang Rape', 'Rape_Others'),
  'Rape_Gang Rape': women,
  Rape_Others: women,
  'Attempt to commit Rape': women,
  'Kidnapping & Abduction_Total': subtotal(
    'Kidnapping & Abduction',
    'Kidnapping & Abduction in order to Murder',
    'Kidnapping for Ransom',
    'Kidnapping & Abduction of Women to compel her for marriage',
    'Other Kidnapping',
  ),
  'Kidnapping & Abduction': body,
  'Kidnapping & Abduction in order to Murder': body,
  'Kidnapping for Ransom': body,
  'Kidnapping & Abduction of Women to compel her for marriage': women,
  'Other Kidnapping': body,
  Dacoity: subtotal('Dacoity with Murder', 'Other Dacoity'),
  'Dacoity with Murder': property,
  'Other Dacoity': property,
  'Making Preparation and Assembly for committing Dacoity': property,
  Robbery: property,
  'Criminal Trespass/Burglary': subtotal('Criminal Trespass or Burglary', 'House Trespass & House Breaking'),
  'Criminal Trespass or Burglary': property,
  'House Trespass & House Breaking': property,
  Theft: subtotal('Auto Theft', 'Other Thefts'),
  'Auto Theft': property,
  'Other Thefts': property,
  'Unlawful Assembly': other,
  Riots: subtotal(...RIOT_KINDS),
  Riots_Communal: body,
  Riots_Industrial: body,
  Riots_Political: body,
  'Riots_Caste Conflict': subtotal('Riots_SC/STs Vs Non-SCs/STs', 'Riots_Other Caste Conflict'),
  'Riots_SC/STs Vs Non-SCs/STs': body,
  'Riots_Other Caste Conflict': body,
  Riots_Agrarian: body,
  Riots_Students: body,
  Riots_Sectarian: body,
  Riots_Others: body,
  'Criminal Breach of Trust': property,
  Cheating: property,
  Forgery: property,
  Counterfeiting: subtotal(
    'Counterfeit Offences related to Counterfeit Coin',
    'Counterfeiting Government Stamp',
    'Counterfeit currency & Bank notes',
  ),
  'Counterfeit Offences related to Counterfeit Coin': property,
  'Counterfeiting Government Stamp': property,
  'Counterfeit currency & Bank notes': subtotal(
    'Counterfeiting currency notes/Bank notes',
    'Using forged or counterfeiting currency/Bank notes',
    'Possession of forged or counterfeiting currency/Bank notes',
    'Making or Possessing materials for forged currency/Bank notes',
    'Making or Using documents resembling currency',
  ),
  'Counterfeiting currency notes/Bank notes': property,
  'Using forged or counterfeiting currency/Bank notes': property,
  'Possession of forged or counterfeiting currency/Bank notes': property,
  'Making or Possessing materials for forged currency/Bank notes': property,
  'Making or Using documents resembling currency': property,
  Arson: property,
  // In this table "Grievous Hurt" is the sum of "Hurt", "Acid attack" and "Attempt to Acid Attack" (checked).
  'Grievous Hurt': subtotal('Hurt', 'Acid attack', 'Attempt to Acid Attack'),
  Hurt: body,
  'Acid attack': body,
  'Attempt to Acid Attack': body,
  'Dowry Deaths': women,
  'Assault on Women with intent to outrage her Modesty': subtotal(
    'Sexual Harassment',
    'Assault or use of criminal force to women with intent to Disrobe',
    'Voyeurism',
    'Stalking',
    'Other Assault on Women',
  ),
  'Sexual Harassment': harassment,
  'Assault or use of criminal force to women with intent to Disrobe': women,
  Voyeurism: harassment,
  Stalking: harassment,
  'Other Assault on Women': women,
  'Insult to the Modesty of Women': subtotal(
    'At Office premises',
    'Other places related to work',
    'In Public Transport system',
    'Places other than 231, 232 & 233',
  ),
  'At Office premises': harassment,
  'Other places related to work': harassment,
  'In Public Transport system': harassment,
  'Places other than 231, 232 & 233': harassment,
  'Cruelty by Husband or his Relatives': women,
  'Importation of Girls from Foreign Country': women,
  'Causing Death by Negligence': subtotal(
    'Deaths due to negligent driving/act',
    'Deaths due to Other Causes',
  ),
  'Deaths due to negligent driving/act': road,
  'Deaths due to Other Causes': other,
  'Offences against State': subtotal('Sedition', 'Other offences against State'),
  Sedition: other,
  'Other offences against State': other,
  'Offences promoting enmity between different groups': subtotal(
    'Promoting enmity between different groups',
    'Imputation, assertions prejudicial to national integration',
  ),
  'Promoting enmity between different groups': other,
  'Imputation, assertions prejudicial to national integration': other,
  Extortion: property,
  // IPC 228A: disclosing the identity of a victim of rape.
  'Disclosure of Identity of Victims': women,
  'Incidence of Rash Driving': road,
  HumanTrafficking: women,
  'Unnatural Offence': body,
  'Other IPC crimes': other,
  'Total Cognizable IPC crimes': total,
};

const IPC_2016: HeadTable = {
  murder: body,
  attempt_to_commit_murder: body,
  culpable_homicide_not_amounting_to_murder: body,
  attempt_to_commit_culpable_homicide: body,
  rape: women,
  attempt_to_commit_rape: women,
  kidnapping_and_abduction: body,
  dacoity: property,
  mkng_preparation_and_assembly_for_comm_dacoity: property,
  robbery: property,
  criminal_trespass_or_burglary: property,
  theft: property,
  unlawful_assembly: other,
  riots: body,
  criminal_breach_of_trust: property,
  cheating: property,
  forgery: property,
  counterfeiting: property,
  arson: property,
  grievous_hurt: body,
  dowry_deaths: women,
  assault_on_women: women,
  insult_to_the_modesty_of_women: harassment,
  cruelty_by_husband_or_his_relatives: women,
  importation_of_girls_from_foreign_country: women,
  causing_death_by_negligence: other,
  offences_against_state: other,
  offences_promoting_enmity_between_diff_grp: other,
  extortion: property,
  disclosure_of_identity_of_victims: women,
  incidence_of_rash_driving: road,
  human_trafficking: women,
  unnatural_offence: body,
  other_ipc_crimes: other,
};

const RIOTING_2017 = [
  'rioting_communal_religious',
  'rioting_sectarian',
  'rioting_industrial',
  'rioting_political',
  'rioting_caste_conflict',
  'rioting_agrarian',
  'rioting_students',
  'rioting_vigilants',
  'rioting_money_dispute',
  'rioting_water_dispute',
  'rioting_land_property_dispute',
  'rioting_family_disputes',
  'rioting_enmity_rivalry',
  'riot_elec_pwr_disp',
  'riot_andolan_morcha',
  'riot_polc_prsnl_gvt_srvnt',
  'other_rioting',
];

const PROPERTY_2017 = [
  'auto_motor_vehicle_theft',
  'other_thefts',
  'day_time_burglary',
  'night_burglary',
  'extortion_and_blackmailing',
  'robbery',
  'atmpt_dacoity_robbery',
  'dacoity',
  'dacoity_with_murder',
  'mkng_prprtn_assmbly_cmmttng_dcty',
  'criminal_misappropriation',
  'criminal_breach_of_trust',
  'dsh_hon_rec_deal_stl_prop',
  'counterfeit_coin',
  'cntrfte_govt_stamp',
  'cntrft_seal_mark',
  'cntrft_curr_bank_notes',
  'bank_frauds',
  'atm_fraud',
  'credit_debit_card_fraud',
  'other_frauds',
  'cheating',
  'forgery',
  'cheating_impersonation',
  'ofnc_mischief',
  'arson',
  'criminal_trespass',
];

const IPC_2017: HeadTable = {
  murder: body,
  clpbl_hmcrd_not_amt_murder: body,
  hit_and_run: road,
  acdnt_other_than_hit_and_run_: road,
  deaths_negl_rel_rail_acdnt: other,
  deaths_due_med_negnc: other,
  deaths_neg_civic_bodies: other,
  deaths_other_negnc: other,
  dowry_deaths: women,
  abetment_of_suicide: suicide,
  atmpt_cmmt_murder: body,
  atmpt_cmmt_clpb_hmcrd: body,
  atmpt_cmmt_suicide: suicide,
  miscarr_infant_foetic_aband: children,
  vlntrly_caus_simple_hurt: body,
  vlntrly_caus_dangers_weapons: body,
  vlntrly_caus_pub_srvnt_duty: body,
  hrt_endgrng_lf_safety: body,
  other_simple_hurt: body,
  vlntrly_caus_grvus_hurt: body,
  grvus_hrt_dangerous_wepn: body,
  acid_attack: body,
  atmpt_acid_attack: body,
  grvus_hrt_pub_srvnt_duty: body,
  grvus_hrt_lf_safety: body,
  other_grievous_hurt: body,
  wrngful_rest_cnfm: body,
  assault_on_women: women,
  sex_hrrsmt_work_office_prms: harassment,
  sex_hrrsmt_pub_trnsprt_sys: harassment,
  sex_hrrsmt_shelter_homes: harassment,
  sex_hrrsmt_other_places: harassment,
  intnt_disrbe: women,
  voyeurism: harassment,
  stalking: harassment,
  missing_child_kidnpd: children,
  other_kidnp_abduc: body,
  kidnp_abdctn_begging: children,
  kidnp_abdctn_murder: body,
  kidnapping_for_ransom: body,
  kidnp_abdctn_marrg: women,
  proc_minor_girls: children,
  import_girls_frgn_cntry: women,
  other_kidnp_abduc_sec_365_369: body,
  human_trafficking: women,
  exp_traf_person: women,
  sell_minors_prost: children,
  buy_minors_prost: children,
  rape: women,
  atmpt_rape: women,
  unnatural_offences: body,
  ofnc_agnst_state_sedition: other,
  ofnc_agnst_state_other: other,
  ofnc_agnst_pub_trnqul: other,
  ...Object.fromEntries(RIOTING_2017.map((head) => [head, body])),
  prmt_enmty_grps: other,
  impt_asrtns_prjudc_intgrtn: other,
  affray: body,
  ...Object.fromEntries(PROPERTY_2017.map((head) => [head, property])),
  ofnc_elections: other,
  disbnc_ordr_prmlgtd_pblc_srvnt: other,
  harboring_offender: other,
  sale_food_drugs: other,
  rash_driving_pub_way: road,
  csng_hrt_rsh_nglgnt_drvng_pblc_wy: road,
  grvus_hrt_rsh_nglgnt_drvng: road,
  obstruction_pub_way: other,
  sale_obscene_books_objects: other,
  obscene_acts_songs_public_places: other,
  ofnc_religion: other,
  crlty_husbnd_relatives: women,
  crcl_false_fake_news_rumours: other,
  criminal_intimidation: harassment,
  insult_modesty_women: harassment,
  other_ipc_crimes: other,
};

const WOMEN_2001_2012: HeadTable = {
  Rape: women,
  'Kidnapping and Abduction': women,
  'Dowry Deaths': women,
  'Assault on women with intent to outrage her modesty': women,
  'Insult to modesty of Women': harassment,
  'Cruelty by Husband or his Relatives': women,
  'Importation of Girls': women,
};

const WOMEN_2017: HeadTable = {
  murder_with_rape_gang_rape: women,
  dowry_deaths: women,
  abetment_to_suicide_of_women: suicide,
  miscarriage: women,
  acid_attack: women,
  attempt_to_acid_attack: women,
  cruelty_by_husband_or_his_relatives: women,
  kidnapping_and_abduction: women,
  kidnapping_abduction_in_order_to_murder: women,
  kidnapping_for_ransom: women,
  kidnp_and_abductn_of_women_above_18_for_marrg: women,
  kidnp_and_abductn_of_girls_below_18_for_marrg: children,
  procuration_of_minor_girls: children,
  importation_of_girls_from_foreign: women,
  kidnapping_and_abduction_of_women_others: women,
  human_trafficking: women,
  selling_of_minor_girls: children,
  buying_of_minor_girls: children,
  rape_women_above_18: women,
  rape_girls_below_18: children,
  attempt_to_commit_rape_above_18: women,
  attempt_to_commit_rape_girls_below_18: children,
  assault_on_womenabove_18: women,
  assault_on_women_below_18: children,
  insult_to_the_modesty_of_women_above_18: harassment,
  insult_to_the_modesty_of_women_below_18: children,
  dowry_prohibition: women,
  procuring_inducing_children_for_the_sake_of_prostitution: children,
  detaining_a_prsn_in_premises_where_prost_is_carried: women,
  prostitution_in_or_in_the_vicinity_of_public_places: women,
  seducing_or_soliciting_for_purpose_of_prostitution: women,
  other_sections_under_itp_act: women,
  protection_of_women_from_domestic_violence: women,
  publshng_or_transmitting_of_sexually_explicit_mtrl: women,
  other_women_centric_cyber_crimes: women,
  child_rape: children,
  sexual_assault_of_children: children,
  child_sexual_harassment: children,
  use_of_child_for_pornography: children,
  offences_of_pocso_act: children,
  pocso_act_unnatural_offences: children,
  indecent_representation_of_women: women,
};

const SC_2001_2012: HeadTable = {
  Murder: body,
  Rape: women,
  'Kidnapping and Abduction': body,
  Dacoity: property,
  Robbery: property,
  Arson: property,
  Hurt: body,
  'Prevention of atrocities (POA) Act': other,
  'Protection of Civil Rights (PCR) Act': other,
  'Other Crimes Against SCs': other,
};

const CHILDREN_2001_2012: HeadTable = {
  Murder: children,
  Rape: children,
  'Kidnapping and Abduction': children,
  Foeticide: children,
  'Abetment of suicide': suicide,
  'Exposure and abandonment': children,
  'Procuration of minor girls': children,
  'Buying of girls for prostitution': children,
  'Selling of girls for prostitution': children,
  'Prohibition of child marriage act': children,
  'Other Crimes': children,
  Total: total,
};

/** Head -> rule for every NCRB layout; a column absent here is reported as an unmapped head. */
export const NCRB_HEADS: Readonly<Record<NcrbLayout, HeadTable>> = {
  'ipc-2001-2013': IPC_2001_2013,
  'ipc-2014': IPC_2014,
  'ipc-2016': IPC_2016,
  'ipc-2017': IPC_2017,
  'women-2001-2012': WOMEN_2001_2012,
  'women-2017': WOMEN_2017,
  'sc-2001-2012': SC_2001_2012,
  'children-2001-2012': CHILDREN_2001_2012,
};

/** The rule for one column of an NCRB layout, or undefined when the head is not in the table. */
export function ncrbHead(layout: NcrbLayout, head: string): HeadRule | undefined {
  return NCRB_HEADS[layout][head];
}

/**
 * Chicago Police "Primary Type" -> product category. Types not listed are `other` (narcotics,
 * criminal trespass, public peace violation, liquor law, gambling, ...). "CRIMINAL SEXUAL ASSAULT"
 * is the name the export uses for "CRIM SEXUAL ASSAULT" from 2019.
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
  'CRIMINAL SEXUAL ASSAULT': 'crime_women',
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
