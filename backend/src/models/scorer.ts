import type { DistrictScore as ModelDistrictScore, ScoringInput } from '@district-monitor/models';
import type { DistrictScore, ModelCard } from '@district-monitor/streams';

/** A loaded model version that scores districts (DistrictScorer from models/, or a fake in specs). */
export interface ActiveScorer {
  readonly version: string;
  readonly card: ModelCard;
  score(input: ScoringInput): ModelDistrictScore;
  /** Frees what the version holds (tensors, wasm memory), once it no longer scores. */
  dispose?(): void;
}

/** Turns a stored bundle into a scorer; throws when the bundle cannot be read. */
export interface ScorerLoader {
  load(bundle: unknown, version: string): Promise<ActiveScorer>;
}

/** The wire shape of a score: as the model says it, with `asOf` as an ISO instant. */
export function toWireScore(score: ModelDistrictScore): DistrictScore {
  return { ...score, asOf: new Date(score.asOf).toISOString() };
}
