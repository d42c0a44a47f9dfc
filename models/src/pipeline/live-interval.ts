/**
 * The live fusion's 80% interval, the rule the T2 evaluation uses (docs/fusion.md, "Adaptive conformal"):
 * quantile heads (`QuantileNetwork`, 10/50/90% of ln((y + 0.5) / (b + 0.5)), b the count head's baseline)
 * trained on the fusion's rows, conformalised (CQR) over the out-of-sample weeks before the predicted one,
 * its level adapted week by week to the band's own misses (ACI). The live model is retrained every
 * `MODEL_RETRAIN_HOURS`, so the correction is computed once, at training, for the week after the last
 * training origin, and stored with the network.
 */
import { ModelFormatError } from '../errors.js';
import { jsonReader } from '../json-read.js';
import {
  ConformalBand,
  countBand,
  countLogRatio,
  QuantileNetwork,
  type OutOfSampleBand,
  type QuantileNetworkOptions,
} from '../fusion/quantile.js';

/** Weeks of out-of-sample scores the correction reads, and the step of its adaptive level (the T2 choice). */
export const LIVE_CONFORMAL = { weeks: 8, adapt: 0.2, coverage: 0.8 } as const;

/** The stored interval: the quantile network's document and the correction for the week after training. */
export interface LiveIntervalJSON {
  readonly format: typeof LIVE_INTERVAL_FORMAT;
  readonly network: unknown;
  /** The CQR correction Q (log units): the band is [q10 - Q, q90 + Q]. */
  readonly correction: number;
  /** The adaptive level's miss rate α for that week (0.2 = the nominal level). */
  readonly missRate: number;
  /**
   * Out-of-sample weeks with known outcomes: the adaptive level ran over all of them, the correction read the
   * last `LIVE_CONFORMAL.weeks` of them. While fewer than 2 × districts scores came before a week, the band
   * of that week was not corrected, and its misses still moved the level (as in the T2 evaluation).
   */
  readonly outOfSampleWeeks: number;
}

export const LIVE_INTERVAL_FORMAT = 'live-interval@1';

const read = jsonReader('live interval');

/** The rows the interval is trained on: the fusion's rows, their outcomes, baselines and week index. */
export interface LiveIntervalSet {
  /** Districts per week: a week's correction needs 2 × districts earlier scores. */
  readonly districts: number;
  readonly rows: readonly (readonly number[])[];
  readonly counts: readonly number[];
  readonly baselines: readonly number[];
  /** A whole number per row: its week (consecutive weeks differ by 1). */
  readonly weeks: readonly number[];
}

/**
 * Trains the quantile heads and computes the correction for the week after the last one in `set`. The
 * out-of-sample rows are the network's validation rows (the latest 20% of the weeks, never in a batch).
 */
export function fitLiveInterval(
  set: LiveIntervalSet,
  options: Partial<QuantileNetworkOptions> = {},
): LiveIntervalJSON {
  const network = QuantileNetwork.fit(
    {
      rows: set.rows,
      targets: set.counts.map((y, i) => countLogRatio(y, set.baselines[i] ?? 0)),
      times: set.weeks,
    },
    options,
  );
  try {
    const held = set.weeks.flatMap((week, i) => (week >= network.validationFrom ? [i] : []));
    const quantiles = network.predict(held.map((i) => set.rows[i] ?? []));
    const top = network.levels.length - 1;
    const records: OutOfSampleBand[] = held.map((i, k) => ({
      time: set.weeks[i] ?? 0,
      target: countLogRatio(set.counts[i] ?? 0, set.baselines[i] ?? 0),
      lower: quantiles[k]?.[0] ?? 0,
      upper: quantiles[k]?.[top] ?? 0,
    }));
    const band = new ConformalBand(records, {
      window: LIVE_CONFORMAL.weeks,
      coverage: LIVE_CONFORMAL.coverage,
      adapt: LIVE_CONFORMAL.adapt,
      minRows: Math.max(1, 2 * set.districts),
    });
    const next = Math.max(...set.weeks) + 1;
    return {
      format: LIVE_INTERVAL_FORMAT,
      network: network.toJSON(),
      correction: band.correctionAt(next),
      missRate: band.missRateAt(next),
      outOfSampleWeeks: new Set(records.map((r) => r.time)).size,
    };
  } finally {
    network.dispose();
  }
}

/** A loaded live interval: the 80% interval of a row, in counts. Dispose it when done. */
export class LiveInterval {
  private constructor(
    private readonly network: QuantileNetwork,
    readonly correction: number,
  ) {}

  static load(json: unknown): LiveInterval {
    const doc = read.record(json, 'document');
    if (doc.format !== LIVE_INTERVAL_FORMAT)
      throw new ModelFormatError(
        `live interval: format ${String(doc.format)}, expected ${LIVE_INTERVAL_FORMAT}`,
      );
    const correction = read.finite(doc.correction, 'correction');
    return new LiveInterval(QuantileNetwork.load(doc.network), correction);
  }

  /** The corrected 10-90% band of the row's count, mapped back from the log ratio to `baseline`, floored at 0. */
  interval80(row: readonly number[], baseline: number): [number, number] {
    const q = this.network.predict([row])[0] ?? [];
    const [lo, hi] = ConformalBand.widen(q[0] ?? 0, q[q.length - 1] ?? 0, this.correction);
    return countBand(lo, hi, baseline);
  }

  dispose(): void {
    this.network.dispose();
  }
}
