import {
  HISTORY_ANALYSIS_FORMAT,
  type BundleProfile,
  type HistoryAnalysisBundle,
  type HistoryAnalysisUnit,
} from '@district-monitor/data/history-analysis';
import type {
  CorrelationMatrix,
  DistrictHistoryAnalysis,
  HistoryAnalysisSummary,
  HistoryAnalysisVersion,
  HistoryProfile,
  AnalysisUnit,
  Region,
  StructuralTier,
  UserInfo,
} from '@district-monitor/streams';
import { correlationMatrix } from '../analysis/correlations.js';

/** A stored bundle that this code cannot read (another format, or not an analysis). */
export class BundleFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleFormatError';
  }
}

/** Checks a stored bundle's format before it is served. */
export function parseBundle(value: unknown): HistoryAnalysisBundle {
  const record = (value ?? {}) as { format?: unknown; units?: unknown; heads?: unknown };
  if (record.format !== HISTORY_ANALYSIS_FORMAT)
    throw new BundleFormatError(
      `stored history analysis has format ${String(record.format)}, expected ${HISTORY_ANALYSIS_FORMAT}`,
    );
  if (!Array.isArray(record.units) || !Array.isArray(record.heads))
    throw new BundleFormatError('stored history analysis has no units or heads');
  return value as HistoryAnalysisBundle;
}

/** The analysis as it is served: the bundle, its version, and the region's districts mapped to units. */
export class ServedAnalysis {
  /** Registry district -> its unit. */
  private readonly unitOf = new Map<string, HistoryAnalysisUnit>();
  /** The region's districts, in registry order. */
  private readonly districts: readonly string[];

  constructor(
    readonly bundle: HistoryAnalysisBundle,
    readonly version: HistoryAnalysisVersion,
    region: Region,
  ) {
    for (const unit of bundle.units) for (const member of unit.members) this.unitOf.set(member, unit);
    this.districts = region.units
      .filter((unit) => unit.kind === 'district' && this.unitOf.has(unit.code))
      .map((unit) => unit.code);
  }

  /** The unit of a district, undefined when the analysis does not cover it. */
  unit(district: string): HistoryAnalysisUnit | undefined {
    return this.unitOf.get(district);
  }

  /** Structural tiers of the districts `user` may see, in registry order. */
  tiers(user: UserInfo): StructuralTier[] {
    return this.visible(user).flatMap((district) => {
      const unit = this.unitOf.get(district);
      return unit === undefined ? [] : [{ district, ...unit.tier }];
    });
  }

  summary(user: UserInfo): HistoryAnalysisSummary {
    const { bundle } = this;
    return {
      version: this.version,
      heads: bundle.heads,
      units: bundle.units.filter((unit) => unit.members.some((m) => visible(user, m))).map(unitInfo),
      importance: bundle.importance,
      profiles: {
        method: bundle.profiles.method,
        k: bundle.profiles.k,
        silhouette: bundle.profiles.silhouette,
        profiles: bundle.profiles.profiles.map((profile) => this.profile(profile, user)),
      },
      tiers: { method: bundle.tiers.method, year: bundle.tiers.year, tiers: this.tiers(user) },
    };
  }

  /** A district's analysis; undefined when the analysis does not cover it (scope is the caller's check). */
  district(user: UserInfo, district: string): DistrictHistoryAnalysis | undefined {
    const unit = this.unitOf.get(district);
    if (unit === undefined) return undefined;
    const profile = this.bundle.profiles.profiles.find((p) => p.label === unit.profile);
    if (profile === undefined)
      throw new BundleFormatError(`unit ${unit.code} has no profile ${unit.profile}`);
    const served = this.profile(profile, user);
    return {
      district,
      unit: unitInfo(unit),
      version: this.version,
      heads: unit.heads,
      importance: {
        method: this.bundle.importance.method,
        factors: unit.contributions,
      },
      profile: served,
      peers: served.districts.filter((code) => !unit.members.includes(code)),
      tier: { district, ...unit.tier },
    };
  }

  /** Pearson r across the units of the real rates, the accident indicators and the census ones. */
  correlations(): CorrelationMatrix {
    const { correlations, units } = this.bundle;
    return {
      source: 'history',
      basis: `${correlations.basis}; analysis ${this.version.id}`,
      districts: units.length,
      variables: correlations.variables,
      values: correlationMatrix(correlations.columns),
    };
  }

  private profile(profile: BundleProfile, user: UserInfo): HistoryProfile {
    const units = new Set(profile.units);
    return {
      label: profile.label,
      description: profile.description,
      units: profile.units.filter((code) =>
        this.bundle.units.some((u) => u.code === code && u.members.some((m) => visible(user, m))),
      ),
      districts: this.visible(user).filter((district) => units.has(this.unitOf.get(district)?.code ?? '')),
      size: profile.units.length,
      centroid: profile.centroid,
    };
  }

  private visible(user: UserInfo): string[] {
    return this.districts.filter((district) => visible(user, district));
  }
}

function visible(user: UserInfo, district: string): boolean {
  return user.districts === null || user.districts.includes(district);
}

function unitInfo(unit: HistoryAnalysisUnit): AnalysisUnit {
  return { code: unit.code, name: unit.name, members: unit.members, population: unit.population };
}
