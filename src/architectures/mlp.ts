import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';
import { assertNumberInRange, assertPositiveInteger, describe } from '../internal/shapes';
import { SeedStream } from '../random';
import {
  activationLayer,
  checkActivation,
  checkBoolean,
  checkFactoryOptions,
  checkShape,
  checkSizes,
  product,
  seededDense,
  type HiddenActivation,
} from './layers';

import { SeededDropout } from './seeded-dropout';
import {
  CONDITIONAL_DISCRIMINATOR_KEYS,
  CONDITIONAL_GENERATOR_KEYS,
  chain,
  checkConditioning,
  classifierHead,
  labelFeatures,
  labelInput,
  type ConditionalDiscriminatorOptions,
  type ConditionalGeneratorOptions,
} from './conditioning';

export type { HiddenActivation };

/** Options shared by the MLP factories. */
export interface MlpOptions {
  /**
   * Units of each hidden layer, input side first.
   * @defaultValue the article's sizes (see each factory)
   */
  readonly hiddenUnits?: readonly number[];
  /**
   * Activation after each hidden layer; `'leakyRelu'` uses slope 0.2.
   * @defaultValue `'relu'`
   */
  readonly activation?: HiddenActivation;
  /**
   * Seed of the Glorot-uniform kernel initialisers (and dropout masks), any safe integer; omitted, runs differ.
   */
  readonly seed?: number;
  /** Prefix of layer names, so two networks in one page stay distinguishable. */
  readonly name?: string;
}

/** Options of {@link mlpGenerator}. */
export interface MlpGeneratorOptions extends MlpOptions, ConditionalGeneratorOptions {
  /**
   * Size of the latent vector z.
   * @defaultValue `100`
   */
  readonly latentDim?: number;
  /**
   * Shape of one generated example; `[28, 28, 1]` adds a reshape after the last dense layer.
   * @defaultValue `[784]`
   */
  readonly outputShape?: readonly number[];
  /**
   * Batch normalisation (momentum 0.99, ε 1e-3) between each hidden dense layer and its activation.
   * @defaultValue `false`
   */
  readonly batchNorm?: boolean;
  /**
   * Output activation: `'tanh'` for data in [−1, 1], `'sigmoid'` for [0, 1], `'linear'` for unbounded data.
   * @defaultValue `'tanh'`
   */
  readonly outputActivation?: 'tanh' | 'sigmoid' | 'linear';
}

/** Options of {@link mlpDiscriminator}. */
export interface MlpDiscriminatorOptions extends MlpOptions, ConditionalDiscriminatorOptions {
  /**
   * Size of the learned class vector with `conditioning: 'embedding'`.
   * @defaultValue `50`
   */
  readonly embeddingDim?: number;
  /**
   * Shape of one input example; a rank above 1 adds a flatten first.
   * @defaultValue `[784]`
   */
  readonly inputShape?: readonly number[];
  /**
   * Dropout rate after each hidden activation, active in training steps only.
   * @defaultValue `0`
   */
  readonly dropout?: number;
}

/** Factory options for both networks of an MLP GAN. */
export interface MlpGanRecipe {
  /** Options for {@link mlpGenerator}. */
  readonly generator: MlpGeneratorOptions;
  /** Options for {@link mlpDiscriminator}. */
  readonly discriminator: MlpDiscriminatorOptions;
}

/** The names of {@link MLP_GAN_RECIPES}. */
export type MlpGanRecipeName = 'article' | 'recommended';

const MLP_KEYS = ['hiddenUnits', 'activation', 'seed', 'name'];
const GENERATOR_KEYS = [...MLP_KEYS, 'latentDim', 'outputShape', 'batchNorm', 'outputActivation', ...CONDITIONAL_GENERATOR_KEYS];
const DISCRIMINATOR_KEYS = [...MLP_KEYS, 'inputShape', 'dropout', 'embeddingDim', ...CONDITIONAL_DISCRIMINATOR_KEYS];

const ARTICLE_GENERATOR_UNITS = [128, 128];
const ARTICLE_DISCRIMINATOR_UNITS = [128];

/**
 * Measured MLP GAN recipes for 28×28 data (see the README's recipe table): `article` reproduces the article's
 * networks, `recommended` is the wider one with batch norm in G that {@link GAN} builds by default (FD 355 vs 1317 at
 * 5,000 steps, all 10 digit classes vs 4). Spread one into a factory call and add a seed.
 *
 * @example
 * ```ts
 * const generator = mlpGenerator({ ...MLP_GAN_RECIPES.article.generator, seed: 1 });
 * const discriminator = mlpDiscriminator({ ...MLP_GAN_RECIPES.article.discriminator, seed: 2 });
 * ```
 */
// Frozen all the way down: the default GAN reads these, so a caller's push into hiddenUnits would change every later one.
export const MLP_GAN_RECIPES: Readonly<Record<MlpGanRecipeName, MlpGanRecipe>> = deepFreeze({
  article: {
    generator: { hiddenUnits: [...ARTICLE_GENERATOR_UNITS], activation: 'relu', batchNorm: false },
    discriminator: { hiddenUnits: [...ARTICLE_DISCRIMINATOR_UNITS], activation: 'relu', dropout: 0 },
  },
  recommended: {
    generator: { hiddenUnits: [256, 512], activation: 'leakyRelu', batchNorm: true },
    discriminator: { hiddenUnits: [512, 256], activation: 'leakyRelu', dropout: 0.3 },
  },
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function checkHidden(options: MlpOptions, fallback: readonly number[]): readonly number[] {
  checkActivation(options.activation ?? 'relu', 'options.activation');
  return checkSizes(options.hiddenUnits ?? fallback, 'options.hiddenUnits');
}

/**
 * A fully connected generator: z `[batch, latentDim]` → hidden dense layers → `[batch, ...outputShape]`. With no
 * options it is the article's 100 → 128 → 128 → 784 network with ReLU and a tanh output. With `classes` it is
 * class-conditional: inputs `[z, labels]`, the one-hot labels `[batch, classes]` (or their embedding) concatenated to z.
 *
 * @param options - sizes, activation, batch norm, output shape and seed
 * @returns an uncompiled tfjs-layers model, ready for {@link GAN}
 *
 * @example
 * ```ts
 * const article = mlpGenerator({ seed: 1 });
 * const better = mlpGenerator({ ...MLP_GAN_RECIPES.recommended.generator, outputShape: [28, 28, 1], seed: 1 });
 * // Class-conditional: takes [z, labels], labels as one-hot rows [batch, 10].
 * const conditional = mlpGenerator({ classes: 10, conditioning: 'embedding', seed: 1 });
 * ```
 */
export function mlpGenerator(options: MlpGeneratorOptions = {}): tfl.LayersModel {
  checkFactoryOptions(options, GENERATOR_KEYS, 'MlpGeneratorOptions');
  checkBoolean(options.batchNorm, 'options.batchNorm');
  const output = options.outputActivation ?? 'tanh';
  if (output !== 'tanh' && output !== 'sigmoid' && output !== 'linear') {
    throw new ConfigError('options.outputActivation', "'tanh', 'sigmoid' or 'linear'", describe(output));
  }
  const latentDim = options.latentDim ?? 100;
  assertPositiveInteger(latentDim, 'options.latentDim');
  const hidden = checkHidden(options, ARTICLE_GENERATOR_UNITS);
  const outputShape = options.outputShape ?? [784];
  checkShape(outputShape, 'options.outputShape');
  const conditional = checkConditioning(options, false);
  const prefix = options.name ?? 'generator';
  const seeds = new SeedStream(options.seed);
  const layers: tfl.layers.Layer[] = [];
  hidden.forEach((units, i) => {
    layers.push(seededDense(units, seeds, `${prefix}_dense${i}`, undefined, options.batchNorm !== true));
    if (options.batchNorm === true) {
      layers.push(tfl.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3, name: `${prefix}_bn${i}` }));
    }
    layers.push(activationLayer(options.activation ?? 'relu', `${prefix}_act${i}`));
  });
  layers.push(seededDense(product(outputShape), seeds, `${prefix}_out`, output));
  if (outputShape.length > 1) layers.push(tfl.layers.reshape({ targetShape: [...outputShape], name: `${prefix}_reshape` }));
  if (conditional.classes === undefined) {
    const model = tfl.sequential({ name: prefix });
    model.add(tfl.layers.inputLayer({ inputShape: [latentDim], name: `${prefix}_z` }));
    for (const layer of layers) model.add(layer);
    return model;
  }
  const z = tfl.input({ shape: [latentDim], name: `${prefix}_z` });
  const labels = labelInput(conditional.classes, prefix);
  const c = labelFeatures(labels, conditional.conditioning, conditional.embeddingDim, seeds, `${prefix}_embedding`);
  const joined = tfl.layers.concatenate({ name: `${prefix}_join` }).apply([z, c]) as tfl.SymbolicTensor; // [batch, latentDim + c]
  return tfl.model({ inputs: [z, labels], outputs: chain(joined, layers), name: prefix });
}

/**
 * A fully connected discriminator: `[batch, ...inputShape]` → hidden dense layers → one logit `[batch, 1]` (no
 * sigmoid: the losses take logits). With no options it is the article's 784 → 128 → 1 network with ReLU. With
 * `classes` it takes `[x, labels]` (one-hot labels `[batch, classes]`, or their embedding, concatenated to the
 * flattened x), and with `auxiliaryClassifier` it outputs `[logit, classLogits]`.
 *
 * @param options - sizes, activation, dropout, input shape and seed
 * @returns an uncompiled tfjs-layers model, ready for {@link GAN}
 *
 * @example
 * ```ts
 * const article = mlpDiscriminator({ seed: 2 });
 * const better = mlpDiscriminator({ ...MLP_GAN_RECIPES.recommended.discriminator, inputShape: [28, 28, 1], seed: 2 });
 * // Takes [x, one-hot labels] and also outputs class logits [batch, 10] for acgan().
 * const acganD = mlpDiscriminator({ classes: 10, auxiliaryClassifier: true, seed: 2 });
 * ```
 */
export function mlpDiscriminator(options: MlpDiscriminatorOptions = {}): tfl.LayersModel {
  checkFactoryOptions(options, DISCRIMINATOR_KEYS, 'MlpDiscriminatorOptions');
  const hidden = checkHidden(options, ARTICLE_DISCRIMINATOR_UNITS);
  const inputShape = options.inputShape ?? [784];
  checkShape(inputShape, 'options.inputShape');
  const rate = options.dropout ?? 0;
  assertNumberInRange(rate, 'options.dropout', 0, 0.99);
  const conditional = checkConditioning(options, true);
  const prefix = options.name ?? 'discriminator';
  const seeds = new SeedStream(options.seed);
  const front: tfl.layers.Layer[] = [];
  if (inputShape.length > 1) front.push(tfl.layers.flatten({ name: `${prefix}_flatten` }));
  const body: tfl.layers.Layer[] = [];
  hidden.forEach((units, i) => {
    body.push(seededDense(units, seeds, `${prefix}_dense${i}`));
    body.push(activationLayer(options.activation ?? 'relu', `${prefix}_act${i}`));
    if (rate > 0) body.push(new SeededDropout({ rate, seed: seeds.next(), name: `${prefix}_dropout${i}` }));
  });
  const logit = seededDense(1, seeds, `${prefix}_logit`);
  if (conditional.classes === undefined) {
    const model = tfl.sequential({ name: prefix });
    model.add(tfl.layers.inputLayer({ inputShape: [...inputShape], name: `${prefix}_x` }));
    for (const layer of [...front, ...body, logit]) model.add(layer);
    return model;
  }
  const x = tfl.input({ shape: [...inputShape], name: `${prefix}_x` });
  let h = chain(x, front); // [batch, size of x]
  const inputs = [x];
  if (conditional.conditioning !== 'none') {
    const labels = labelInput(conditional.classes, prefix);
    inputs.push(labels);
    const c = labelFeatures(labels, conditional.conditioning, conditional.embeddingDim, seeds, `${prefix}_embedding`);
    h = tfl.layers.concatenate({ name: `${prefix}_join` }).apply([h, c]) as tfl.SymbolicTensor; // [batch, size + c]
  }
  h = chain(h, body);
  const outputs = [logit.apply(h) as tfl.SymbolicTensor];
  if (conditional.auxiliaryClassifier) outputs.push(classifierHead(h, conditional.classes, seeds, `${prefix}_classes`));
  return tfl.model({ inputs, outputs, name: prefix });
}
