import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';
import { assertNumberInRange, assertPositiveInteger, describe } from '../internal/shapes';
import { SeedStream } from '../random';
import {
  activationLayer,
  assertDenseChain,
  checkActivation,
  checkBoolean,
  checkFactoryOptions,
  checkShape,
  checkSizes,
  buildSequential,
  orDefault,
  product,
  seededDense,
  shapeFactors,
  type HiddenActivation,
  type SizeFactor,
} from './layers';

import { SeededDropout } from './seeded-dropout';
import {
  CONDITIONAL_DISCRIMINATOR_KEYS,
  CONDITIONAL_GENERATOR_KEYS,
  LayerChain,
  buildFunctional,
  buildGenerator,
  checkConditioning,
  classifierHead,
  join,
  labelFeatures,
  labelInput,
  type ConditionalDiscriminatorOptions,
  type ConditionalGeneratorOptions,
  type LayerSink,
} from './conditioning';

export type { HiddenActivation };

/**
 * Options shared by the MLP factories.
 *
 * @example
 * ```ts
 * const shared: MlpOptions = { hiddenUnits: [256, 512], activation: 'leakyRelu', seed: 1 };
 * const generator = mlpGenerator({ ...shared, batchNorm: true });
 * ```
 * @group Architectures
 */
export interface MlpOptions {
  /**
   * Units of each hidden layer, input side first.
   * @defaultValue the recommended recipe's sizes (see each factory)
   */
  readonly hiddenUnits?: readonly number[];
  /**
   * Activation after each hidden layer; `'leakyRelu'` uses slope 0.2 (for gradient penalties, which differentiate D
   * twice, use `'safeLeakyRelu'`).
   * @defaultValue `'leakyRelu'`
   */
  readonly activation?: HiddenActivation;
  /**
   * Seed of the Glorot-uniform kernel initialisers (and dropout masks), any safe integer; omitted, runs differ.
   */
  readonly seed?: number;
  /** Prefix of layer names, so two networks in one page stay distinguishable. */
  readonly name?: string;
}

/**
 * Options of {@link mlpGenerator}.
 *
 * @example
 * ```ts
 * const options: MlpGeneratorOptions = { latentDim: 64, outputShape: [28, 28, 1], classes: 10, seed: 1 };
 * const generator = mlpGenerator(options); // inputs [z, labels]
 * ```
 * @group Architectures
 */
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
   * @defaultValue `true`
   */
  readonly batchNorm?: boolean;
  /**
   * Output activation: `'tanh'` for data in [−1, 1], `'sigmoid'` for [0, 1], `'linear'` for unbounded data.
   * @defaultValue `'tanh'`
   */
  readonly outputActivation?: 'tanh' | 'sigmoid' | 'linear';
}

/**
 * Options of {@link mlpDiscriminator}.
 *
 * @example
 * ```ts
 * const options: MlpDiscriminatorOptions = { inputShape: [28, 28, 1], dropout: 0.3, activation: 'safeLeakyRelu' };
 * const discriminator = mlpDiscriminator(options);
 * ```
 * @group Architectures
 */
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
   * @defaultValue `0.3`
   */
  readonly dropout?: number;
}

/**
 * Factory options for both networks of an MLP GAN.
 *
 * @example
 * ```ts
 * const recipe: MlpGanRecipe = MLP_GAN_RECIPES.recommended;
 * const gan = new GAN({}, { generator: mlpGenerator(recipe.generator), discriminator: mlpDiscriminator(recipe.discriminator) });
 * ```
 * @group Architectures
 */
export interface MlpGanRecipe {
  /** Options for {@link mlpGenerator}. */
  readonly generator: MlpGeneratorOptions;
  /** Options for {@link mlpDiscriminator}. */
  readonly discriminator: MlpDiscriminatorOptions;
}

/**
 * The names of {@link MLP_GAN_RECIPES}.
 *
 * @example
 * ```ts
 * const name: MlpGanRecipeName = 'article';
 * const generator = mlpGenerator({ ...MLP_GAN_RECIPES[name].generator, seed: 1 });
 * ```
 * @group Architectures
 */
export type MlpGanRecipeName = 'article' | 'recommended';

const MLP_KEYS = ['hiddenUnits', 'activation', 'seed', 'name'];
const GENERATOR_KEYS = [
  ...MLP_KEYS,
  'latentDim',
  'outputShape',
  'batchNorm',
  'outputActivation',
  ...CONDITIONAL_GENERATOR_KEYS,
];
const DISCRIMINATOR_KEYS = [...MLP_KEYS, 'inputShape', 'dropout', 'embeddingDim', ...CONDITIONAL_DISCRIMINATOR_KEYS];

// The factories' defaults, so that `mlpGenerator()` is the network `new GAN()` builds: one copy of the values.
const RECOMMENDED = {
  generator: { hiddenUnits: [256, 512], activation: 'leakyRelu', batchNorm: true },
  discriminator: { hiddenUnits: [512, 256], activation: 'leakyRelu', dropout: 0.3 },
} as const satisfies MlpGanRecipe;

/**
 * Measured MLP GAN recipes for 28×28 data (see the README's recipe table): `article` reproduces the article's
 * networks, `recommended` is the wider one with batch norm in G that {@link GAN} and the factories build by default
 * (FD 355 vs 1317 at 5,000 steps, all 10 digit classes vs 4). Spread one into a factory call and add a seed.
 *
 * @example
 * ```ts
 * const generator = mlpGenerator({ ...MLP_GAN_RECIPES.article.generator, seed: 1 });
 * const discriminator = mlpDiscriminator({ ...MLP_GAN_RECIPES.article.discriminator, seed: 2 });
 * ```
 * @group Architectures
 */
// Frozen all the way down: the default GAN reads these, so a caller's push into hiddenUnits would change every later one.
export const MLP_GAN_RECIPES: Readonly<Record<MlpGanRecipeName, MlpGanRecipe>> = deepFreeze({
  article: {
    generator: { hiddenUnits: [128, 128], activation: 'relu', batchNorm: false },
    discriminator: { hiddenUnits: [128], activation: 'relu', dropout: 0 },
  },
  recommended: RECOMMENDED,
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function checkHidden(
  options: MlpOptions,
  defaults: Required<Pick<MlpOptions, 'hiddenUnits' | 'activation'>>,
): { hidden: readonly number[]; activation: HiddenActivation } {
  const activation = checkActivation(orDefault(options.activation, defaults.activation), 'options.activation');
  return {
    hidden: checkSizes(orDefault(options.hiddenUnits, defaults.hiddenUnits), 'options.hiddenUnits'),
    activation,
  };
}

/** The hidden layers' sizes as factors, each named `options.hiddenUnits[i]`. */
function hiddenFactors(hidden: readonly number[]): SizeFactor[][] {
  return hidden.map((value, i) => [{ value, option: `options.hiddenUnits[${i}]` }]);
}

/**
 * A fully connected generator: z `[batch, latentDim]` → hidden dense layers → `[batch, ...outputShape]`. With no
 * options it is the recommended generator that {@link GAN} builds: 100 → 256 → 512 → 784 with batch norm, leaky
 * ReLU and a tanh output; the article's 100 → 128 → 128 → 784 ReLU network is `MLP_GAN_RECIPES.article.generator`.
 * With `classes` it is class-conditional: inputs `[z, labels]`, the one-hot labels `[batch, classes]` (or their
 * embedding) concatenated to z.
 *
 * @param options - sizes, activation, batch norm, output shape and seed
 * @returns an uncompiled tfjs-layers model, ready for {@link GAN}
 * @throws {@link ConfigError} for a bad option, `null` included, or sizes whose weights would exceed 2^31 − 1 values
 *
 * @example
 * ```ts
 * const recommended = mlpGenerator({ outputShape: [28, 28, 1], seed: 1 });
 * const article = mlpGenerator({ ...MLP_GAN_RECIPES.article.generator, seed: 1 });
 * // Class-conditional: takes [z, labels], labels as one-hot rows [batch, 10].
 * const conditional = mlpGenerator({ classes: 10, conditioning: 'embedding', seed: 1 });
 * ```
 * @group Architectures
 */
export function mlpGenerator(options: MlpGeneratorOptions = {}): tfl.LayersModel {
  checkFactoryOptions(options, GENERATOR_KEYS, 'MlpGeneratorOptions');
  checkBoolean(options.batchNorm, 'options.batchNorm');
  const batchNorm = orDefault(options.batchNorm, RECOMMENDED.generator.batchNorm);
  const output = orDefault(options.outputActivation, 'tanh');
  if (output !== 'tanh' && output !== 'sigmoid' && output !== 'linear') {
    throw new ConfigError('options.outputActivation', "'tanh', 'sigmoid' or 'linear'", describe(output));
  }
  const latentDim = orDefault(options.latentDim, 100);
  assertPositiveInteger(latentDim, 'options.latentDim');
  const { hidden, activation } = checkHidden(options, RECOMMENDED.generator);
  const outputShape = orDefault(options.outputShape, [784]);
  checkShape(outputShape, 'options.outputShape');
  assertDenseChain([
    [{ value: latentDim, option: 'options.latentDim' }],
    ...hiddenFactors(hidden),
    shapeFactors(outputShape, 'options.outputShape'),
  ]);
  const conditional = checkConditioning(options, false);
  if (conditional.classes !== undefined) {
    const width = conditional.conditioning === 'embedding' ? conditional.embeddingDim : conditional.classes;
    assertDenseChain([
      [{ value: conditional.classes, option: 'options.classes' }],
      [{ value: width, option: 'options.classes' }],
    ]);
    assertDenseChain([[{ value: latentDim + width, option: 'options.classes' }], ...hiddenFactors(hidden).slice(0, 1)]);
  }
  const prefix = orDefault(options.name, 'generator');
  const seeds = new SeedStream(options.seed);
  const body = (model: LayerSink) => {
    hidden.forEach((units, i) => {
      model.add(seededDense(units, seeds, `${prefix}_dense${i}`, undefined, !batchNorm));
      if (batchNorm) {
        model.add(tfl.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3, name: `${prefix}_bn${i}` }));
      }
      model.add(activationLayer(activation, `${prefix}_act${i}`));
    });
    model.add(seededDense(product(outputShape), seeds, `${prefix}_out`, output));
    if (outputShape.length > 1) {
      model.add(tfl.layers.reshape({ targetShape: [...outputShape], name: `${prefix}_reshape` }));
    }
  };
  return buildGenerator(prefix, latentDim, conditional, seeds, body);
}

/**
 * A fully connected discriminator: `[batch, ...inputShape]` → hidden dense layers → one logit `[batch, 1]` (no
 * sigmoid: the losses take logits). With no options it is the recommended discriminator that {@link GAN} builds:
 * 784 → 512 → 256 → 1 with leaky ReLU and dropout 0.3; the article's 784 → 128 → 1 ReLU network is
 * `MLP_GAN_RECIPES.article.discriminator`. With `classes` it takes `[x, labels]` (one-hot labels
 * `[batch, classes]`, or their embedding, concatenated to the flattened x), and with `auxiliaryClassifier` it
 * outputs `[logit, classLogits]`.
 *
 * @param options - sizes, activation, dropout, input shape and seed
 * @returns an uncompiled tfjs-layers model, ready for {@link GAN}
 * @throws {@link ConfigError} for a bad option, `null` included, or sizes whose weights would exceed 2^31 − 1 values
 *
 * @example
 * ```ts
 * const recommended = mlpDiscriminator({ inputShape: [28, 28, 1], seed: 2 });
 * const article = mlpDiscriminator({ ...MLP_GAN_RECIPES.article.discriminator, seed: 2 });
 * // Takes [x, one-hot labels] and also outputs class logits [batch, 10] for acgan().
 * const acganD = mlpDiscriminator({ classes: 10, auxiliaryClassifier: true, seed: 2 });
 * ```
 * @group Architectures
 */
export function mlpDiscriminator(options: MlpDiscriminatorOptions = {}): tfl.LayersModel {
  checkFactoryOptions(options, DISCRIMINATOR_KEYS, 'MlpDiscriminatorOptions');
  const { hidden, activation } = checkHidden(options, RECOMMENDED.discriminator);
  const inputShape = orDefault(options.inputShape, [784]);
  checkShape(inputShape, 'options.inputShape');
  const rate = orDefault(options.dropout, RECOMMENDED.discriminator.dropout);
  assertNumberInRange(rate, 'options.dropout', 0, 0.99);
  assertDenseChain([shapeFactors(inputShape, 'options.inputShape'), ...hiddenFactors(hidden), []]);
  const conditional = checkConditioning(options, true);
  if (conditional.classes !== undefined) {
    const width = conditional.conditioning === 'embedding' ? conditional.embeddingDim : conditional.classes;
    const flat = product(inputShape);
    assertDenseChain([
      [{ value: conditional.classes, option: 'options.classes' }],
      [{ value: width, option: 'options.classes' }],
    ]);
    assertDenseChain([[{ value: flat + width, option: 'options.classes' }], ...hiddenFactors(hidden).slice(0, 1)]);
    const last = hidden.length === 0 ? flat + width : hidden[hidden.length - 1]!;
    assertDenseChain([
      [{ value: last, option: 'options.classes' }],
      [{ value: conditional.classes, option: 'options.classes' }],
    ]);
  }
  const prefix = orDefault(options.name, 'discriminator');
  const seeds = new SeedStream(options.seed);
  const hiddenLayers = (model: LayerSink) => {
    hidden.forEach((units, i) => {
      model.add(seededDense(units, seeds, `${prefix}_dense${i}`));
      model.add(activationLayer(activation, `${prefix}_act${i}`));
      if (rate > 0) model.add(new SeededDropout({ rate, seed: seeds.next(), name: `${prefix}_dropout${i}` }));
    });
  };
  const classes = conditional.classes;
  if (classes === undefined) {
    return buildSequential(prefix, (model) => {
      model.add(tfl.layers.inputLayer({ inputShape: [...inputShape], name: `${prefix}_x` }));
      if (inputShape.length > 1) model.add(tfl.layers.flatten({ name: `${prefix}_flatten` }));
      hiddenLayers(model);
      model.add(seededDense(1, seeds, `${prefix}_logit`));
    });
  }
  return buildFunctional(prefix, (track) => {
    const x = tfl.input({ shape: [...inputShape], name: `${prefix}_x` });
    const inputs = [x];
    const chain = new LayerChain(track, x);
    if (inputShape.length > 1) chain.add(tfl.layers.flatten({ name: `${prefix}_flatten` })); // [batch, size of x]
    if (conditional.conditioning !== 'none') {
      const labels = labelInput(classes, prefix);
      inputs.push(labels);
      const c = labelFeatures(
        track,
        labels,
        conditional.conditioning,
        conditional.embeddingDim,
        seeds,
        `${prefix}_embedding`,
      );
      chain.output = join(track, chain.output, c, `${prefix}_join`); // [batch, size + c]
    }
    hiddenLayers(chain);
    const features = chain.output;
    const outputs = [track(seededDense(1, seeds, `${prefix}_logit`)).apply(features) as tfl.SymbolicTensor];
    if (conditional.auxiliaryClassifier)
      outputs.push(classifierHead(track, features, classes, seeds, `${prefix}_classes`));
    return { inputs, outputs };
  });
}
