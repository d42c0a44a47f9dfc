import { initModelRuntime } from '@district-monitor/data/runtime';
import { DistrictScorer, type ModelBundleJson } from '@district-monitor/models';
import type { Region } from '@district-monitor/streams';
import type { ActiveScorer, ScorerLoader } from './scorer.js';

type ModelRuntime = Awaited<ReturnType<typeof initModelRuntime>>;

const BUNDLE_FORMAT: ModelBundleJson['format'] = 'district-models@1';

function isDisposable(value: object): value is { dispose(): void } {
  return typeof (value as { dispose?: unknown }).dispose === 'function';
}

function isBundle(value: unknown): value is ModelBundleJson {
  return (
    typeof value === 'object' && value !== null && (value as { format?: unknown }).format === BUNDLE_FORMAT
  );
}

/**
 * Loads bundles with models/' DistrictScorer on the main thread. The runtime (augurs and the TF.js
 * wasm backend) is initialised once, at the first load: a backend without a model never loads it.
 */
export class PipelineScorerLoader implements ScorerLoader {
  private runtime: Promise<ModelRuntime> | undefined;

  constructor(private readonly region: Region) {}

  async load(bundle: unknown, version: string): Promise<ActiveScorer> {
    if (!isBundle(bundle)) {
      const format = (bundle as { format?: unknown } | null)?.format;
      throw new Error(
        `model version ${version}: expected a ${BUNDLE_FORMAT} bundle, got format ${String(format)}`,
      );
    }
    if (bundle.region !== this.region.code) {
      throw new Error(
        `model version ${version} was trained for region ${bundle.region}, but this backend serves ${this.region.code}`,
      );
    }
    this.runtime ??= initModelRuntime().catch((error: unknown) => {
      this.runtime = undefined; // let the next load try again
      throw error;
    });
    const scorer = DistrictScorer.load(bundle, await this.runtime, version);
    const active: ActiveScorer = { version, card: scorer.card, score: (input) => scorer.score(input) };
    // Freed after a swap when the scorer holds resources (TF.js tensors are not garbage-collected).
    if (isDisposable(scorer)) {
      return {
        ...active,
        dispose: () => {
          scorer.dispose();
        },
      };
    }
    return active;
  }
}
