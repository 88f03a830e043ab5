/**
 * Class labels of a conditional GAN: what its networks take, how a labelled batch is read and checked, and the labels'
 * one-hot form. Kept out of gan.ts so the class reads as the model.
 * @internal
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError, ValueError } from '../../errors';
import { describe, formatShape } from '../../internal/shapes';
import type { GANObjective } from './objective';

/**
 * A batch of real examples with their class labels, for a conditional {@link GAN}: what the {@link Trainer} slices
 * from a dataset `{ x, labels }`.
 *
 * @example
 * ```ts
 * const batch: LabelledBatch = { x: images, labels: tf.tensor1d([3, 1, 4], 'int32') }; // x [3, 784]
 * await gan.trainStep(batch);
 * ```
 * @group Models
 */
export interface LabelledBatch {
  /** Real examples `[batch, ...dataShape]`, float32, in the generator's output range. */
  readonly x: tf.Tensor;
  /** Their classes, int32 indices `[batch]` in [0, classes). */
  readonly labels: tf.Tensor;
}

/**
 * What {@link GAN.trainStep} takes: a tensor of examples for an unconditional GAN, a {@link LabelledBatch} for a
 * conditional one.
 *
 * @example
 * ```ts
 * const unconditional: GANBatch = images;
 * const conditional: GANBatch = { x: images, labels: tf.zeros([images.shape[0]], 'int32') };
 * ```
 * @group Models
 */
export type GANBatch = tf.Tensor | LabelledBatch;

/** How the networks use labels, read from their inputs and outputs at construction. */
export interface NetworkLabels {
  /** Number of classes, or undefined for an unconditional GAN. */
  readonly classes: number | undefined;
  /** D takes `[x, labels]`. */
  readonly discriminatorTakesLabels: boolean;
  /** D outputs `[logits, classLogits]`. */
  readonly auxiliaryClassifier: boolean;
}

function labelSize(tensor: tfl.SymbolicTensor, argument: string): number {
  const [batch, classes, ...rest] = tensor.shape;
  if (batch !== null || typeof classes !== 'number' || classes < 2 || rest.length > 0) {
    throw new ConfigError(argument, 'one-hot labels of shape [batch, classes >= 2]', formatShape(tensor.shape));
  }
  return classes;
}

/** Checks that both networks agree on the classes, and that the objective finds the class logits it reads. */
export function readNetworkLabels(
  generator: tfl.LayersModel,
  discriminator: tfl.LayersModel,
  objective: GANObjective,
  configured: number | undefined,
): NetworkLabels {
  if (generator.inputs.length > 2) {
    throw new ConfigError('networks.generator', 'inputs [z] or [z, labels]', `${generator.inputs.length} inputs`);
  }
  if (discriminator.inputs.length > 2) {
    throw new ConfigError(
      'networks.discriminator',
      'inputs [x] or [x, labels]',
      `${discriminator.inputs.length} inputs`,
    );
  }
  if (discriminator.outputs.length > 2) {
    const received = `${discriminator.outputs.length} outputs`;
    throw new ConfigError('networks.discriminator', 'outputs [logits] or [logits, classLogits]', received);
  }
  const gLabels = generator.inputs[1];
  const dLabels = discriminator.inputs[1];
  const head = discriminator.outputs[1];
  const classes = gLabels === undefined ? undefined : labelSize(gLabels, 'networks.generator inputs[1]');
  if (classes === undefined) {
    if (dLabels !== undefined || head !== undefined) {
      const hint = 'Build the generator with the same classes option (e.g. mlpGenerator({ classes: 10 })).';
      const received =
        dLabels !== undefined ? 'a discriminator that takes labels' : 'a discriminator with a class head';
      throw new ConfigError('networks.generator', 'a conditional generator [z, labels]', received, hint);
    }
    if (configured !== undefined) {
      throw new ConfigError('config.classes', 'undefined (the generator takes no labels)', String(configured));
    }
    if (objective.auxiliaryClassifier === true) {
      const hint = 'acgan() needs class labels: build conditional networks with classes and auxiliaryClassifier.';
      throw new ConfigError(
        'config.objective',
        'an objective without class terms',
        'an auxiliary-classifier objective',
        hint,
      );
    }
    return { classes: undefined, discriminatorTakesLabels: false, auxiliaryClassifier: false };
  }
  if (configured !== undefined && configured !== classes) {
    throw new ConfigError('config.classes', `${classes} (the generator's label size)`, String(configured));
  }
  if (dLabels !== undefined && labelSize(dLabels, 'networks.discriminator inputs[1]') !== classes) {
    throw new ConfigError(
      'networks.discriminator',
      `labels of shape [batch, ${classes}] (the generator's)`,
      formatShape(dLabels.shape),
    );
  }
  if (head !== undefined) {
    const [batch, size, ...rest] = head.shape;
    if (batch !== null || size !== classes || rest.length > 0) {
      throw new ConfigError(
        'networks.discriminator',
        `class logits [batch, ${classes}] as outputs[1]`,
        formatShape(head.shape),
      );
    }
  }
  if (dLabels === undefined && head === undefined) {
    const hint = 'Build it with classes (it then takes [x, labels]) or with auxiliaryClassifier: true.';
    throw new ConfigError('networks.discriminator', 'a discriminator that takes labels or classifies', 'neither', hint);
  }
  if (objective.auxiliaryClassifier === true && head === undefined) {
    const hint = 'Build the discriminator with auxiliaryClassifier: true, or train without acgan().';
    throw new ConfigError(
      'networks.discriminator',
      'class logits as outputs[1] (the objective reads them)',
      'one output',
      hint,
    );
  }
  return { classes, discriminatorTakesLabels: dLabels !== undefined, auxiliaryClassifier: head !== undefined };
}

/** The batch's examples and labels, and the argument names they are reported under. */
export interface BatchParts {
  readonly x: tf.Tensor;
  readonly labels: tf.Tensor | undefined;
  readonly xName: string;
}

/** Reads a {@link GANBatch}: a labelled batch for a conditional GAN, a tensor otherwise. */
export function batchParts(batch: unknown, classes: number | undefined): BatchParts {
  const labelled = typeof batch === 'object' && batch !== null && !(batch instanceof tf.Tensor);
  if (classes === undefined) {
    if (labelled && 'labels' in batch) {
      const hint = 'Build the GAN with conditional networks (e.g. config.classes) to train on labels.';
      throw new ValueError('realBatch.labels', 'no labels (this GAN is unconditional)', 'labels', hint);
    }
    return { x: batch as tf.Tensor, labels: undefined, xName: 'realBatch' };
  }
  if (!labelled) {
    const hint = `Pass { x, labels } with int32 class indices in [0, ${classes}) (the Trainer slices a dataset { x, labels }).`;
    throw new ValueError(
      'realBatch.labels',
      `labels (this GAN is conditional on ${classes} classes)`,
      describe(batch),
      hint,
    );
  }
  const record = batch as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'x' && key !== 'labels')
      throw new ValueError(`realBatch.${key}`, 'only the fields x and labels', 'an unknown field');
  }
  return { x: record['x'] as tf.Tensor, labels: record['labels'] as tf.Tensor, xName: 'realBatch.x' };
}

/**
 * Checks labels against their batch: a live int32 tensor `[batch]` of class indices in [0, classes). Reads the values
 * back (synchronously), so call it before any weight changes.
 */
export function assertLabels(
  labels: unknown,
  batchSize: number,
  classes: number,
  argument: string,
): asserts labels is tf.Tensor {
  if (Array.isArray(labels)) return assertLabelArray(labels, batchSize, classes, argument);
  if (!(labels instanceof tf.Tensor)) {
    throw new ShapeError(argument, `an int32 tf.Tensor of class indices [${batchSize}]`, describe(labels));
  }
  if (labels.isDisposed) throw new ValueError(argument, 'a live tensor', 'a disposed tensor');
  if (labels.dtype !== 'int32') {
    const hint = "Class indices are integers: tf.tensor1d(indices, 'int32') (or tf.cast(labels, 'int32')).";
    throw new ShapeError(argument, "dtype 'int32' (class indices)", `dtype '${labels.dtype}'`, hint);
  }
  if (labels.rank !== 1 || labels.shape[0] !== batchSize) {
    throw new ShapeError(argument, `shape [${batchSize}] (one class index per example)`, formatShape(labels.shape));
  }
  checkIndices(labels.dataSync(), classes, argument);
}

function assertLabelArray(labels: readonly unknown[], n: number, classes: number, argument: string): void {
  if (labels.length !== n) throw new ShapeError(argument, `${n} class indices (one per example)`, `${labels.length}`);
  checkIndices(labels, classes, argument);
}

function checkIndices(values: ArrayLike<unknown>, classes: number, argument: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= classes) {
      throw new ValueError(
        argument,
        `class indices, integers in [0, ${classes - 1}]`,
        `${describe(v)} (at index ${i})`,
      );
    }
  }
}

/** One-hot rows `[batch, classes]` (float32), the form the networks take. */
export function oneHotLabels(labels: tf.Tensor, classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, classes), 'float32')) as tf.Tensor2D;
}

/** `n` labels drawn uniformly from the classes, int32 `[n]`. */
export function uniformLabels(n: number, classes: number, seed: number): tf.Tensor1D {
  return tf.tidy(() => {
    const u = tf.randomUniform([n], 0, classes, 'float32', seed);
    // float32 rounding can land exactly on `classes`.
    return tf.cast(tf.minimum(tf.floor(u), classes - 1), 'int32') as tf.Tensor1D;
  });
}
