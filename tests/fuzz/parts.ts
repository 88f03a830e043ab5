/**
 * Model parts for the model fuzz (tests/fuzz/models.test.ts), described as data so fast-check can generate and
 * shrink them, and built inside each run: tiny networks (matching and mismatched), optimizers with any learning
 * rate, user loss functions that misbehave in each way a step must survive.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  hinge,
  leastSquares,
  logitObjective,
  minimax,
  nonSaturating,
  nonSaturatingR1,
  wasserstein,
  wassersteinGp,
  type GANObjective,
  mlpDecoder,
  mlpDiscriminator,
  mlpEncoder,
  mlpGenerator,
  minimaxDiscriminatorLoss,
  nonSaturatingGeneratorLoss,
} from '../../src';
import { TINY_DATA } from '../helpers/gan';
import { TINY_DIM, TINY_LATENT } from '../helpers/vae';
import { chance, edgeNumber, junk } from './arbitraries';

/** Latent size of the tiny GANs (tests/helpers/gan.ts). */
export const GAN_LATENT = 4;

export type NetworkSpec =
  | 'generator'
  | 'generator-sigmoid'
  | 'generator-linear'
  | 'generator-bn'
  | 'generator-wide'
  | 'discriminator'
  | 'discriminator-dropout'
  | 'discriminator-wide'
  | 'encoder'
  | 'encoder-wide'
  | 'encoder-latent3'
  | 'decoder'
  | 'decoder-wide'
  | 'disposed-generator'
  | 'disposed-discriminator'
  | 'disposed-encoder'
  | 'disposed-decoder';

export const networkSpec = fc.constantFrom<NetworkSpec>(
  'generator',
  'generator-sigmoid',
  'generator-linear',
  'generator-bn',
  'generator-wide',
  'discriminator',
  'discriminator-dropout',
  'discriminator-wide',
  'encoder',
  'encoder-wide',
  'encoder-latent3',
  'decoder',
  'decoder-wide',
  'disposed-generator',
  'disposed-discriminator',
  'disposed-encoder',
  'disposed-decoder',
);

/** Builds a network spec; `seed` varies the weights. */
export function buildNetwork(spec: NetworkSpec, seed: number): tfl.LayersModel {
  const s = seed % 1000;
  const disposed = spec.startsWith('disposed-');
  const base = disposed ? spec.slice('disposed-'.length) : spec;
  const generator = (extra: Parameters<typeof mlpGenerator>[0] = {}) =>
    mlpGenerator({ latentDim: GAN_LATENT, hiddenUnits: [8], outputShape: [TINY_DATA], seed: s, ...extra });
  let model: tfl.LayersModel;
  switch (base) {
    case 'generator':
      model = generator();
      break;
    case 'generator-sigmoid':
      model = generator({ outputActivation: 'sigmoid' });
      break;
    case 'generator-linear':
      model = generator({ outputActivation: 'linear' });
      break;
    case 'generator-bn':
      model = generator({ batchNorm: true, activation: 'leakyRelu' });
      break;
    case 'generator-wide':
      model = generator({ outputShape: [TINY_DATA + 1] });
      break;
    case 'discriminator':
      model = mlpDiscriminator({ inputShape: [TINY_DATA], hiddenUnits: [8], seed: s });
      break;
    case 'discriminator-dropout':
      model = mlpDiscriminator({ inputShape: [TINY_DATA], hiddenUnits: [8], dropout: 0.3, seed: s });
      break;
    case 'discriminator-wide':
      model = mlpDiscriminator({ inputShape: [TINY_DATA + 1], hiddenUnits: [8], seed: s });
      break;
    case 'encoder':
      model = mlpEncoder({ inputShape: [TINY_DIM], hiddenUnits: [8], latentDim: TINY_LATENT, seed: s });
      break;
    case 'encoder-wide':
      model = mlpEncoder({ inputShape: [TINY_DIM + 1], hiddenUnits: [8], latentDim: TINY_LATENT, seed: s });
      break;
    case 'encoder-latent3':
      model = mlpEncoder({ inputShape: [TINY_DIM], hiddenUnits: [8], latentDim: 3, seed: s });
      break;
    case 'decoder':
      model = mlpDecoder({ outputShape: [TINY_DIM], hiddenUnits: [8], latentDim: TINY_LATENT, seed: s });
      break;
    default:
      model = mlpDecoder({ outputShape: [TINY_DIM + 1], hiddenUnits: [8], latentDim: TINY_LATENT, seed: s });
      break;
  }
  if (disposed) model.dispose();
  return model;
}

export type OptimizerKind = 'adam' | 'sgd' | 'momentum' | 'rmsprop' | 'adamax' | 'adagrad' | 'adadelta';

/** An optimizer to build: its kind, learning rate (any number) and whether it is disposed first. */
export interface OptimizerSpec {
  readonly optimizer: OptimizerKind;
  readonly learningRate: number;
  readonly disposed: boolean;
}

export const optimizerSpec: fc.Arbitrary<OptimizerSpec> = fc.record({
  optimizer: fc.constantFrom<OptimizerKind>('adam', 'sgd', 'momentum', 'rmsprop', 'adamax', 'adagrad', 'adadelta'),
  learningRate: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(1e-3, 1e-2, 0) },
    { weight: 1, arbitrary: edgeNumber },
  ),
  disposed: chance(0.05),
});

export function isOptimizerSpec(v: unknown): v is OptimizerSpec {
  return typeof v === 'object' && v !== null && typeof (v as Partial<OptimizerSpec>).optimizer === 'string';
}

export function buildOptimizer(spec: OptimizerSpec): tf.Optimizer {
  const lr = spec.learningRate;
  let o: tf.Optimizer;
  switch (spec.optimizer) {
    case 'adam':
      o = tf.train.adam(lr);
      break;
    case 'sgd':
      o = tf.train.sgd(lr);
      break;
    case 'momentum':
      o = tf.train.momentum(lr, 0.9);
      break;
    case 'rmsprop':
      o = tf.train.rmsprop(lr);
      break;
    case 'adamax':
      o = tf.train.adamax(lr);
      break;
    case 'adagrad':
      o = tf.train.adagrad(lr);
      break;
    case 'adadelta':
      o = tf.train.adadelta(lr);
      break;
  }
  if (spec.disposed) o.dispose();
  return o;
}

/** User loss functions: correct ones, and each way one can misbehave inside a step. */
export type LossSpec =
  | 'default'
  | 'smoothed'
  | 'throws'
  | 'throws-odd'
  | 'non-scalar'
  | 'nan'
  | 'int32'
  | 'number'
  | 'infinite';

export const lossSpec = fc.constantFrom<LossSpec>(
  'default',
  'smoothed',
  'throws',
  'throws-odd',
  'non-scalar',
  'nan',
  'int32',
  'number',
  'infinite',
);

/** A loss of `arity` tensors (1: generator, 2: discriminator) that behaves as `spec` says. */
export function buildLoss(spec: LossSpec, arity: 1 | 2): (...xs: tf.Tensor[]) => unknown {
  const good = (...xs: tf.Tensor[]): tf.Scalar =>
    arity === 1 ? nonSaturatingGeneratorLoss(xs[0]!) : minimaxDiscriminatorLoss(xs[0]!, xs[1]!);
  switch (spec) {
    case 'default':
      return good;
    case 'smoothed':
      return arity === 1
        ? good
        : (r: tf.Tensor, f: tf.Tensor) => minimaxDiscriminatorLoss(r, f, { labelSmoothing: 0.1 });
    case 'throws':
      return () => {
        throw new Error('a user loss failed');
      };
    case 'throws-odd':
      // Anything can be thrown: a StepError must still describe it.
      return () => {
        throw Object.create(null) as object;
      };
    case 'non-scalar':
      return (...xs: tf.Tensor[]) => tf.mul(xs[0]!, 1);
    case 'nan':
      return (...xs: tf.Tensor[]) => tf.mul(good(...xs), NaN);
    case 'infinite':
      return (...xs: tf.Tensor[]) => tf.div(good(...xs), 0);
    case 'int32':
      return (...xs: tf.Tensor[]) => tf.cast(good(...xs), 'int32');
    case 'number':
      return () => 3;
  }
}

/** Either a part spec or junk, for a config field that takes an optimizer. */
export const optimizerOrJunk = fc.oneof({ weight: 12, arbitrary: optimizerSpec }, { weight: 1, arbitrary: junk });

/** What a run built, to free whatever the model under test does not own. */
export interface Built {
  readonly networks: tfl.LayersModel[];
  readonly optimizers: tf.Optimizer[];
}

/** Frees what `built` holds, ignoring parts already disposed (by the test or by a model that took them). */
export function freeBuilt(built: Built): void {
  for (const n of built.networks) {
    try {
      n.dispose();
    } catch {
      // already disposed
    }
  }
  for (const o of built.optimizers) {
    try {
      o.dispose();
    } catch {
      // already disposed
    }
  }
}

/** A GAN objective to build: a ready-made one, or one made of two user losses (which may misbehave). */
export type ObjectiveSpec =
  | {
      readonly objective:
        | 'nonSaturating'
        | 'minimax'
        | 'hinge'
        | 'leastSquares'
        | 'wasserstein'
        | 'wassersteinClip'
        | 'wassersteinGp'
        | 'nonSaturatingR1';
    }
  | { readonly objective: 'custom'; readonly generator: LossSpec; readonly discriminator: LossSpec };

export const objectiveSpec: fc.Arbitrary<ObjectiveSpec> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(
        'nonSaturating',
        'minimax',
        'hinge',
        'leastSquares',
        'wasserstein',
        'wassersteinClip',
        'wassersteinGp',
        'nonSaturatingR1',
      )
      .map((objective) => ({ objective } as ObjectiveSpec)),
  },
  {
    weight: 2,
    arbitrary: fc.record({ objective: fc.constant('custom' as const), generator: lossSpec, discriminator: lossSpec }),
  },
);

export function isObjectiveSpec(v: unknown): v is ObjectiveSpec {
  return typeof v === 'object' && v !== null && typeof (v as { objective?: unknown }).objective === 'string';
}

export function buildObjective(spec: ObjectiveSpec): GANObjective {
  switch (spec.objective) {
    case 'nonSaturating':
      return nonSaturating();
    case 'minimax':
      return minimax();
    case 'hinge':
      return hinge();
    case 'leastSquares':
      return leastSquares();
    case 'wasserstein':
      return wasserstein();
    case 'wassersteinClip':
      return wasserstein({ clip: 0.01 });
    case 'wassersteinGp':
      return wassersteinGp({ lambda: 10 });
    case 'nonSaturatingR1':
      return nonSaturatingR1({ gamma: 10 });
    case 'custom':
      return logitObjective(
        buildLoss(spec.generator, 1) as Parameters<typeof logitObjective>[0],
        buildLoss(spec.discriminator, 2) as Parameters<typeof logitObjective>[1],
      );
  }
}

/** An objective spec, or junk, or an object that looks like an objective but is not one. */
export const objectiveOrJunk = fc.oneof(
  { weight: 14, arbitrary: objectiveSpec },
  { weight: 1, arbitrary: junk },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      { generatorLoss: () => 1 },
      { output: 'logits' },
      { generatorLoss: 1, discriminatorLoss: 2 },
    ),
  },
);
