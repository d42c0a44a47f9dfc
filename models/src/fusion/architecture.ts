/**
 * The fusion network's layers (tfjs-layers functional API): standardised features → dense ReLU layers →
 * two heads, class probabilities (softmax over K) and the count's log-rate. Every layer is named and every
 * initialiser seeded, so the same architecture and seed build the same topology and the same weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from './rng.js';

/** What `buildFusionLayers` needs; stored in the serialised model. */
export interface FusionArchitecture {
  readonly inputWidth: number;
  readonly hiddenUnits: readonly number[];
  readonly classCount: number;
  /** Seeds the kernel initialisers. */
  readonly seed: number;
}

type Dense = ReturnType<typeof tfl.layers.dense>;

/** The model and its layers, for training (which inserts dropout between them) and inference. */
export interface FusionLayers {
  /** Inputs `features` [n, width]; outputs `class_probabilities` [n, K] and `log_rate` [n, 1]. */
  readonly model: tfl.LayersModel;
  readonly hidden: readonly Dense[];
  /** Linear layer giving the class logits (softmax follows it in `model`). */
  readonly classLogits: Dense;
  /** Linear layer giving the log-rate residual, zero-initialised: training starts from the baseline. */
  readonly logRate: Dense;
}

function symbolic(
  value: tfl.SymbolicTensor | tfl.SymbolicTensor[] | tf.Tensor | tf.Tensor[],
): tfl.SymbolicTensor {
  if (value instanceof tfl.SymbolicTensor) return value;
  throw new TypeError('fusion: a layer applied to a symbolic input gave a concrete tensor');
}

/** Applies a layer to a concrete tensor (training and the reference path). */
export function applyLayer(layer: Dense, input: tf.Tensor): tf.Tensor {
  const out = layer.apply(input);
  if (out instanceof tf.Tensor) return out;
  throw new TypeError(`fusion: layer ${layer.name} did not return one tensor`);
}

/** Builds the network; He-normal kernels for the ReLU layers, Glorot for the class head, zeros for the rate. */
export function buildFusionLayers(arch: FusionArchitecture): FusionLayers {
  const input = tfl.input({ shape: [arch.inputWidth], name: 'features' });
  const hidden = arch.hiddenUnits.map((units, i) =>
    tfl.layers.dense({
      units,
      activation: 'relu',
      name: `hidden_${i + 1}`,
      kernelInitializer: tfl.initializers.heNormal({ seed: deriveSeed(arch.seed, 1, i) }),
    }),
  );
  const classLogits = tfl.layers.dense({
    units: arch.classCount,
    name: 'class_logits',
    kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(arch.seed, 2) }),
  });
  const logRate = tfl.layers.dense({ units: 1, name: 'log_rate', kernelInitializer: 'zeros' });
  let h = input;
  for (const layer of hidden) h = symbolic(layer.apply(h));
  const probabilities = symbolic(
    tfl.layers.softmax({ name: 'class_probabilities' }).apply(symbolic(classLogits.apply(h))),
  );
  const rate = symbolic(logRate.apply(h));
  const model = tfl.model({ inputs: input, outputs: [probabilities, rate], name: 'fusion' });
  return { model, hidden, classLogits, logRate };
}

/** The model's Keras-format topology as a plain JSON object (no weights). */
export function topologyOf(model: tfl.LayersModel): unknown {
  const json: unknown = JSON.parse(JSON.stringify(model.toJSON(null, false)));
  return json;
}
