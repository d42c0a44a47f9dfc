import { quantile, tercileOf, type Terciles } from '../tier/metrics.js';

/**
 * An empirical predictive distribution for a point forecaster without one of its own: the ratios
 * (y + 0.5) / (p + 0.5) of outcomes to forecasts on held-out calibration samples. A new forecast p
 * stands for the outcomes (p + 0.5) r - 0.5 over those ratios, which give its 80% interval (10th and
 * 90th percentiles) and its class probabilities (the share of outcomes in each tercile).
 */
export class RatioCalibration {
  private readonly ratios: readonly number[];

  constructor(truth: readonly number[], predicted: readonly number[]) {
    if (truth.length !== predicted.length || truth.length < 10)
      throw new RangeError(
        `calibration needs at least 10 pairs, got ${Math.min(truth.length, predicted.length)}`,
      );
    this.ratios = truth.map((y, i) => (y + 0.5) / ((predicted[i] ?? 0) + 0.5));
  }

  interval(p: number, level = 0.8): [number, number] {
    const tail = (1 - level) / 2;
    const at = (q: number) => Math.max(0, (p + 0.5) * quantile(this.ratios, q) - 0.5);
    return [at(tail), at(1 - tail)];
  }

  probabilities(p: number, bounds: Terciles): number[] {
    const counts = [0, 0, 0];
    for (const r of this.ratios) {
      const c = tercileOf(Math.max(0, (p + 0.5) * r - 0.5), bounds);
      counts[c] = (counts[c] ?? 0) + 1;
    }
    return counts.map((n) => n / this.ratios.length);
  }
}
