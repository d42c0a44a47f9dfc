/**
 * Reading and writing the fusion network's document (`FusionNetworkJSON`): the checks of `load`, the
 * topology comparison and the weights as one base64 float32 array. Every rejection is a ModelFormatError.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelFormatError } from '../errors.js';
import { isRecord, jsonReader, type JsonRecord } from '../json-read.js';
import { topologyOf, type FusionArchitecture } from './architecture.js';
import { decodeFloat32, encodeFloat32 } from './base64.js';
import type { Standardisation } from './data.js';
import {
  FUSION_FORMAT,
  type FusionMetadata,
  type FusionNetworkJSON,
  type FusionSetMetrics,
} from './types.js';

const { bool, finite, finiteOrNull, list, record, text } = jsonReader('fusion model');

/** One stored weight: its tfjs-layers name (`layer/kernel`) and shape. */
export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
}

/** A checked document, before the layers are rebuilt. */
export interface ParsedFusion {
  readonly architecture: FusionArchitecture;
  readonly topology: unknown;
  readonly manifest: readonly WeightEntry[];
  readonly values: Float32Array;
  readonly standardisation: Standardisation;
  readonly usesBaseline: boolean;
  readonly dispersionSize: number | null;
  readonly metadata: FusionMetadata;
}

/** Checks the format tag and the types of every field; throws ModelFormatError naming the first bad one. */
export function parseFusionDocument(json: unknown): ParsedFusion {
  const doc = record(json, 'document');
  if (doc['format'] !== FUSION_FORMAT) {
    throw new ModelFormatError(`fusion model: format ${String(doc['format'])}, expected ${FUSION_FORMAT}`);
  }
  const arch = record(doc['architecture'], 'architecture');
  const architecture: FusionArchitecture = {
    inputWidth: finite(arch['inputWidth'], 'architecture.inputWidth'),
    hiddenUnits: list(arch['hiddenUnits'], 'architecture.hiddenUnits', finite),
    classCount: finite(arch['classCount'], 'architecture.classCount'),
    seed: finite(arch['seed'], 'architecture.seed'),
  };
  const weights = record(doc['weights'], 'weights');
  const manifest = list(weights['manifest'], 'weights.manifest', (v, path) => {
    const entry = record(v, path);
    return {
      name: text(entry['name'], `${path}.name`),
      shape: list(entry['shape'], `${path}.shape`, finite),
    };
  });
  const values = decodeFloat32(text(weights['float32Base64'], 'weights.float32Base64'));
  const std = record(doc['standardisation'], 'standardisation');
  const standardisation: Standardisation = {
    means: Float64Array.from(list(std['means'], 'standardisation.means', finite)),
    sds: Float64Array.from(list(std['sds'], 'standardisation.sds', finite)),
  };
  if (
    standardisation.means.length !== architecture.inputWidth ||
    standardisation.sds.length !== architecture.inputWidth
  ) {
    throw new ModelFormatError('fusion model: standardisation does not match the input width');
  }
  const count = record(doc['count'], 'count');
  const metadata = readMetadata(record(doc['metadata'], 'metadata'));
  if (metadata.classNames.length !== architecture.classCount) {
    throw new ModelFormatError('fusion model: class names do not match the class count');
  }
  return {
    architecture,
    topology: doc['topology'],
    manifest,
    values,
    standardisation,
    usesBaseline: bool(count['usesBaseline'], 'count.usesBaseline'),
    dispersionSize: finiteOrNull(count['dispersionSize'], 'count.dispersionSize'),
    metadata,
  };
}

/**
 * The parts of a Keras-format topology that define the computation: per layer its class, name, units,
 * activation and inbound nodes, and the model's inputs and outputs. Fields a later tfjs-layers version
 * may add (defaults, dtype policies) are left out, so its documents still load.
 */
function topologySummary(topology: unknown): string | null {
  if (!isRecord(topology) || !isRecord(topology['config'])) return null;
  const config = topology['config'];
  const layers = config['layers'];
  if (!Array.isArray(layers)) return null;
  return JSON.stringify({
    layers: layers.map((layer: unknown) => {
      if (!isRecord(layer) || !isRecord(layer['config'])) return null;
      const c = layer['config'];
      return [
        layer['class_name'],
        layer['name'],
        c['units'] ?? null,
        c['activation'] ?? null,
        layer['inbound_nodes'],
      ];
    }),
    inputs: config['input_layers'],
    outputs: config['output_layers'],
  });
}

/** Throws ModelFormatError unless the stored topology computes what `model` computes. */
export function checkTopology(stored: unknown, model: tfl.LayersModel): void {
  const expected = topologySummary(topologyOf(model));
  if (expected === null || topologySummary(stored) !== expected) {
    throw new ModelFormatError('fusion model: the topology does not match the architecture');
  }
}

/** The model's weights in `getWeights()` order, flattened into one base64 float32 array. */
export function encodeWeights(model: tfl.LayersModel): FusionNetworkJSON['weights'] {
  const tensors = model.getWeights();
  const flat = new Float32Array(tensors.reduce((sum, t) => sum + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    flat.set(t.dataSync<'float32'>(), offset);
    offset += t.size;
  }
  return {
    manifest: model.weights.map((w) => ({ name: w.originalName, shape: w.shape.map((d) => d ?? 0) })),
    float32Base64: encodeFloat32(flat),
  };
}

/**
 * One tensor per weight of `model`, cut from `values` after checking each manifest entry's name and
 * shape against the model's; the caller disposes them.
 */
export function weightTensors(
  model: tfl.LayersModel,
  manifest: readonly WeightEntry[],
  values: Float32Array,
): tf.Tensor[] {
  const modelWeights = model.weights;
  if (manifest.length !== modelWeights.length) {
    throw new ModelFormatError(
      `fusion model: ${manifest.length} weights, the network has ${modelWeights.length}`,
    );
  }
  const shapes = modelWeights.map((w, i) => {
    const entry = manifest[i];
    const shape = w.shape.map((d) => d ?? 0);
    if (!entry || entry.name !== w.originalName || entry.shape.join('x') !== shape.join('x')) {
      throw new ModelFormatError(`fusion model: weight ${i} is not ${w.originalName} [${shape.join(', ')}]`);
    }
    return shape;
  });
  const total = shapes.reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
  if (total !== values.length) {
    throw new ModelFormatError(`fusion model: ${values.length} weight values, the network has ${total}`);
  }
  let offset = 0;
  return shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    offset += size;
    return tf.tensor(values.slice(offset - size, offset), shape);
  });
}

function readSetMetrics(v: JsonRecord, path: string): FusionSetMetrics {
  return {
    rows: finite(v['rows'], `${path}.rows`),
    loss: score(v['loss'], `${path}.loss`),
    crossEntropy: score(v['crossEntropy'], `${path}.crossEntropy`),
    poissonNll: score(v['poissonNll'], `${path}.poissonNll`),
    accuracy: score(v['accuracy'], `${path}.accuracy`),
    brier: score(v['brier'], `${path}.brier`),
    countMae: score(v['countMae'], `${path}.countMae`),
  };
}

/** Non-finite scores (a diverged fit) are stored as null by JSON.stringify: read them back as NaN. */
function score(v: unknown, path: string): number {
  return v === null ? NaN : finite(v, path);
}

/** The `metadata` block of the document. */
export function readMetadata(m: JsonRecord): FusionMetadata {
  const window = record(m['window'], 'metadata.window');
  const options = record(m['options'], 'metadata.options');
  const metrics = record(m['metrics'], 'metadata.metrics');
  const validation = record(metrics['validation'], 'metadata.metrics.validation');
  const history = record(metrics['history'], 'metadata.metrics.history');
  const tfjs = record(m['tfjs'], 'metadata.tfjs');
  return {
    branches: list(m['branches'], 'metadata.branches', (v, path) => {
      const b = record(v, path);
      return { name: text(b['name'], `${path}.name`), width: finite(b['width'], `${path}.width`) };
    }),
    featureNames: list(m['featureNames'], 'metadata.featureNames', text),
    classNames: list(m['classNames'], 'metadata.classNames', text),
    window: {
      trainingFrom: finite(window['trainingFrom'], 'metadata.window.trainingFrom'),
      trainingTo: finite(window['trainingTo'], 'metadata.window.trainingTo'),
      validationFrom: finite(window['validationFrom'], 'metadata.window.validationFrom'),
      validationTo: finite(window['validationTo'], 'metadata.window.validationTo'),
    },
    options: {
      seed: finite(options['seed'], 'metadata.options.seed'),
      hiddenUnits: list(options['hiddenUnits'], 'metadata.options.hiddenUnits', finite),
      dropout: finite(options['dropout'], 'metadata.options.dropout'),
      l2: finite(options['l2'], 'metadata.options.l2'),
      learningRate: finite(options['learningRate'], 'metadata.options.learningRate'),
      batchSize: finite(options['batchSize'], 'metadata.options.batchSize'),
      maxEpochs: finite(options['maxEpochs'], 'metadata.options.maxEpochs'),
      patience: finite(options['patience'], 'metadata.options.patience'),
      validationFraction: finite(options['validationFraction'], 'metadata.options.validationFraction'),
    },
    metrics: {
      bestEpoch: finite(metrics['bestEpoch'], 'metadata.metrics.bestEpoch'),
      epochsRun: finite(metrics['epochsRun'], 'metadata.metrics.epochsRun'),
      countLossWeight: finite(metrics['countLossWeight'], 'metadata.metrics.countLossWeight'),
      countShift: finite(metrics['countShift'], 'metadata.metrics.countShift'),
      training: readSetMetrics(
        record(metrics['training'], 'metadata.metrics.training'),
        'metadata.metrics.training',
      ),
      validation: {
        ...readSetMetrics(validation, 'metadata.metrics.validation'),
        intervalCoverage80: score(
          validation['intervalCoverage80'],
          'metadata.metrics.validation.intervalCoverage80',
        ),
      },
      history: {
        trainingLoss: list(history['trainingLoss'], 'metadata.metrics.history.trainingLoss', score),
        validationLoss: list(history['validationLoss'], 'metadata.metrics.history.validationLoss', score),
      },
    },
    tfjs: {
      version: text(tfjs['version'], 'metadata.tfjs.version'),
      backend: text(tfjs['backend'], 'metadata.tfjs.backend'),
    },
  };
}
