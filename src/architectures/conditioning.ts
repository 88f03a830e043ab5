/**
 * Class conditioning for the GAN factories: how labels enter a network, and the auxiliary-classifier head.
 *
 * The network contract: a conditional network has a second input of one-hot labels `[batch, classes]` (float32), so
 * the number of classes is part of its shape and a GAN reads it at construction. The {@link GAN} takes labels as
 * int32 class indices and makes the one-hot rows itself. An embedding is a dense layer without bias on those rows,
 * which is exactly a lookup table of one learned vector per class.
 * @module
 */

import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';
import { assertCount, describe } from '../internal/shapes';
import type { SeedStream } from '../random';
import { buildSequential, disposeLayers } from './layers';

/**
 * How class labels enter a conditional network: `'one-hot'` concatenates the one-hot rows (Mirza & Osindero, 2014),
 * `'embedding'` concatenates a learned vector per class instead.
 *
 * @example
 * ```ts
 * const generator = mlpGenerator({ classes: 10, conditioning: 'embedding', embeddingDim: 16, seed: 1 });
 * ```
 * @group Architectures
 */
export type Conditioning = 'one-hot' | 'embedding';

/**
 * How labels enter a conditional discriminator: as for a generator ({@link Conditioning}), or `'none'` for an
 * ACGAN discriminator that sees only the image and predicts the class with its auxiliary head.
 *
 * @example
 * ```ts
 * const imageOnly = mlpDiscriminator({ classes: 10, conditioning: 'none', auxiliaryClassifier: true, seed: 2 });
 * ```
 * @group Architectures
 */
export type DiscriminatorConditioning = Conditioning | 'none';

/**
 * Options that make a generator factory ({@link mlpGenerator}, {@link dcganGenerator}) build a class-conditional
 * network, whose inputs are `[z, labels]` with labels as one-hot rows `[batch, classes]`.
 *
 * @example
 * ```ts
 * const conditional: ConditionalGeneratorOptions = { classes: 10, conditioning: 'one-hot' };
 * const generator = dcganGenerator({ ...conditional, seed: 1 });
 * ```
 * @group Architectures
 */
export interface ConditionalGeneratorOptions {
  /**
   * Number of classes. Given, the network takes `[z, labels]`, labels as one-hot rows `[batch, classes]`.
   * @defaultValue unconditional
   */
  readonly classes?: number;
  /**
   * How the labels enter, concatenated to z.
   * @defaultValue `'one-hot'`
   */
  readonly conditioning?: Conditioning;
  /**
   * Size of the learned class vector with `conditioning: 'embedding'`.
   * @defaultValue `50`
   */
  readonly embeddingDim?: number;
}

/**
 * Options that make a discriminator factory ({@link mlpDiscriminator}, {@link dcganDiscriminator}) build a
 * class-conditional network (inputs `[x, labels]`) and/or one with an auxiliary classifier (outputs
 * `[logits, classLogits]`).
 *
 * @example
 * ```ts
 * const acganHead: ConditionalDiscriminatorOptions = { classes: 10, auxiliaryClassifier: true };
 * const discriminator = dcganDiscriminator({ ...acganHead, seed: 2 });
 * ```
 * @group Architectures
 */
export interface ConditionalDiscriminatorOptions {
  /**
   * Number of classes. Given, the network takes `[x, labels]` (labels as one-hot rows `[batch, classes]`) unless
   * `conditioning` is `'none'`.
   * @defaultValue unconditional
   */
  readonly classes?: number;
  /**
   * How the labels enter; `'none'` (an image-only input) needs `auxiliaryClassifier: true`.
   * @defaultValue `'one-hot'`
   */
  readonly conditioning?: DiscriminatorConditioning;
  /**
   * Add ACGAN's auxiliary classifier (Odena et al., 2017): a second output of class logits `[batch, classes]` from
   * the last hidden features, read by {@link acgan}.
   * @defaultValue `false`
   */
  readonly auxiliaryClassifier?: boolean;
}

/** The checked conditioning of one factory call; `classes` undefined means unconditional. */
export interface CheckedConditioning {
  readonly classes: number | undefined;
  readonly conditioning: DiscriminatorConditioning;
  readonly embeddingDim: number;
  readonly auxiliaryClassifier: boolean;
}

/** The option keys of conditional generators and discriminators. */
export const CONDITIONAL_GENERATOR_KEYS = ['classes', 'conditioning', 'embeddingDim'];
export const CONDITIONAL_DISCRIMINATOR_KEYS = ['classes', 'conditioning', 'auxiliaryClassifier'];

/** Checks the conditioning options; the others (`conditioning`, …) are refused without `classes`. */
export function checkConditioning(
  options: ConditionalGeneratorOptions | ConditionalDiscriminatorOptions,
  discriminator: boolean,
): CheckedConditioning {
  const o = options as Record<string, unknown>;
  const classes = o['classes'];
  const conditioning = o['conditioning'];
  const embeddingDim = o['embeddingDim'];
  const auxiliaryClassifier = o['auxiliaryClassifier'];
  if (classes === undefined) {
    for (const key of ['conditioning', 'embeddingDim', 'auxiliaryClassifier'] as const) {
      if (o[key] !== undefined) {
        throw new ConfigError(
          `options.${key}`,
          'undefined (set options.classes for a conditional network)',
          describe(o[key]),
        );
      }
    }
    return { classes: undefined, conditioning: 'none', embeddingDim: 0, auxiliaryClassifier: false };
  }
  assertCount(classes, 'options.classes', 1);
  if (classes < 2) throw new ConfigError('options.classes', 'an integer >= 2', String(classes));
  const allowed = discriminator ? ['one-hot', 'embedding', 'none'] : ['one-hot', 'embedding'];
  const mode = conditioning ?? 'one-hot';
  if (typeof mode !== 'string' || !allowed.includes(mode)) {
    throw new ConfigError('options.conditioning', allowed.map((a) => `'${a}'`).join(', '), describe(mode));
  }
  if (auxiliaryClassifier !== undefined && typeof auxiliaryClassifier !== 'boolean') {
    throw new ConfigError('options.auxiliaryClassifier', 'a boolean', describe(auxiliaryClassifier));
  }
  if (mode === 'none' && auxiliaryClassifier !== true) {
    const hint = 'A discriminator that never sees the labels needs the auxiliary classifier to learn them.';
    throw new ConfigError(
      'options.auxiliaryClassifier',
      "true with conditioning: 'none'",
      describe(auxiliaryClassifier),
      hint,
    );
  }
  if (embeddingDim !== undefined) {
    if (mode !== 'embedding') {
      throw new ConfigError(
        'options.embeddingDim',
        "undefined (only with conditioning: 'embedding')",
        describe(embeddingDim),
      );
    }
    assertCount(embeddingDim, 'options.embeddingDim', 1);
  }
  return {
    classes,
    conditioning: mode as DiscriminatorConditioning,
    embeddingDim: embeddingDim ?? 50,
    auxiliaryClassifier: auxiliaryClassifier === true,
  };
}

/** Records a layer a build creates, so a build that fails part-way frees the weights made so far. */
export type LayerTracker = <T extends tfl.layers.Layer>(layer: T) => T;

/** What a factory's body adds layers to: a `tfl.Sequential`, or a {@link LayerChain}. */
export interface LayerSink {
  add(layer: tfl.layers.Layer): void;
}

/** A functional-API chain with Sequential's `add`, so one factory body builds the plain and the conditional network. */
export class LayerChain implements LayerSink {
  constructor(private readonly track: LayerTracker, public output: tfl.SymbolicTensor) {}

  add(layer: tfl.layers.Layer): void {
    this.output = this.track(layer).apply(this.output) as tfl.SymbolicTensor;
  }
}

/** Builds a functional network, freeing the weights of the layers made so far if a later step fails. */
export function buildFunctional(
  name: string,
  build: (track: LayerTracker) => { inputs: tfl.SymbolicTensor[]; outputs: tfl.SymbolicTensor[] },
): tfl.LayersModel {
  const created: tfl.layers.Layer[] = [];
  try {
    const { inputs, outputs } = build((layer) => {
      created.push(layer);
      return layer;
    });
    return tfl.model({ inputs, outputs, name });
  } catch (e) {
    disposeLayers(created);
    throw e;
  }
}

/** The one-hot label input of a conditional network, `[batch, classes]`. */
export function labelInput(classes: number, prefix: string): tfl.SymbolicTensor {
  return tfl.input({ shape: [classes], name: `${prefix}_labels` });
}

/** The labels as they enter: the one-hot rows themselves, or a learned vector per class `[batch, units]`. */
export function labelFeatures(
  track: LayerTracker,
  labels: tfl.SymbolicTensor,
  conditioning: DiscriminatorConditioning,
  units: number,
  seeds: SeedStream,
  name: string,
): tfl.SymbolicTensor {
  if (conditioning !== 'embedding') return labels;
  const embedding = tfl.layers.dense({
    units,
    useBias: false,
    name,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
  });
  return track(embedding).apply(labels) as tfl.SymbolicTensor; // [batch, units]
}

/** Concatenates `a` and `b` along the last axis. */
export function join(
  track: LayerTracker,
  a: tfl.SymbolicTensor,
  b: tfl.SymbolicTensor,
  name: string,
): tfl.SymbolicTensor {
  return track(tfl.layers.concatenate({ name })).apply([a, b]) as tfl.SymbolicTensor;
}

/** ACGAN's head: class logits `[batch, classes]` from the last hidden features. */
export function classifierHead(
  track: LayerTracker,
  features: tfl.SymbolicTensor,
  classes: number,
  seeds: SeedStream,
  name: string,
): tfl.SymbolicTensor {
  const head = tfl.layers.dense({
    units: classes,
    name,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
    biasInitializer: 'zeros',
  });
  return track(head).apply(features) as tfl.SymbolicTensor; // [batch, classes]
}

/**
 * A generator from `z` `[batch, latentDim]`: `body` adds its layers after the input, which is `z` alone (a Sequential
 * network, built exactly as before conditioning existed) or, with `classes`, `z` joined with the labels' features.
 */
export function buildGenerator(
  prefix: string,
  latentDim: number,
  conditional: CheckedConditioning,
  seeds: SeedStream,
  body: (model: LayerSink) => void,
): tfl.LayersModel {
  const { classes } = conditional;
  if (classes === undefined) {
    return buildSequential(prefix, (model) => {
      model.add(tfl.layers.inputLayer({ inputShape: [latentDim], name: `${prefix}_z` }));
      body(model);
    });
  }
  return buildFunctional(prefix, (track) => {
    const z = tfl.input({ shape: [latentDim], name: `${prefix}_z` });
    const labels = labelInput(classes, prefix);
    const { conditioning, embeddingDim } = conditional;
    const c = labelFeatures(track, labels, conditioning, embeddingDim, seeds, `${prefix}_embedding`);
    const chain = new LayerChain(track, join(track, z, c, `${prefix}_join`)); // [batch, latentDim + c]
    body(chain);
    return { inputs: [z, labels], outputs: [chain.output] };
  });
}
