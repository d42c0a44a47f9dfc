import { initAugurs } from '../../runtime/augurs.js';
import type { NabCorpus } from './corpus.js';
import { bocpdDetector, nullDetector, spikeDetector, surgeDetector, thresholdDetector } from './detectors.js';
import { evaluateNab, type NabEvalOptions, type NabReport } from './evaluate.js';

/**
 * `npm run eval -- --nab DIR`: the surge detector, BOCPD alone, the spike detector (upper tail, as the spike rule
 * uses it, and two-sided), the static threshold and the null detector over a NAB-format corpus
 * (`readNabCorpus(DIR)`), scored as NAB scores.
 */
export async function runNabTask(corpus: NabCorpus, options: NabEvalOptions = {}): Promise<NabReport> {
  const runtime = await initAugurs();
  return evaluateNab(
    corpus,
    [
      surgeDetector,
      bocpdDetector,
      spikeDetector(runtime, 'upper'),
      spikeDetector(runtime, 'two-sided'),
      thresholdDetector,
    ],
    nullDetector,
    options,
  );
}
