/**
 * Encoder and decoder factories for the {@link VAE}: fully connected ones for any data shape and convolutional ones
 * for small images such as 28×28×C digits.
 * @module
 */

import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';
import { assertPositiveInteger, describe, formatShape } from '../internal/shapes';
import { SeedStream } from '../random';
import {
  activationLayer,
  assertBuildable,
  assertDenseChain,
  buildSequential,
  checkActivation,
  checkFactoryOptions,
  checkShape,
  checkSizes,
  disposeLayers,
  orDefault,
  product,
  seededConv,
  seededDense,
  shapeFactors,
  type HiddenActivation,
  type SizeFactor,
} from './layers';

/**
 * Options shared by the VAE network factories.
 *
 * @example
 * ```ts
 * const shared: VaeNetworkOptions = { latentDim: 16, activation: 'leakyRelu' };
 * const vae = new VAE({}, {
 *   encoder: mlpEncoder({ ...shared, seed: 1 }),
 *   decoder: mlpDecoder({ ...shared, seed: 2 }),
 * });
 * ```
 * @group Architectures
 */
export interface VaeNetworkOptions {
  /**
   * Size of the latent vector z.
   * @defaultValue `20`
   */
  readonly latentDim?: number;
  /**
   * Activation after each hidden layer (dense or convolutional); `'leakyRelu'` uses slope 0.2.
   * @defaultValue `'relu'`
   */
  readonly activation?: HiddenActivation;
  /**
   * Seed of the Glorot-uniform kernel initialisers, any safe integer; omitted, runs differ.
   */
  readonly seed?: number;
  /** Prefix of layer names. */
  readonly name?: string;
}

/**
 * Options of {@link mlpEncoder}.
 *
 * @example
 * ```ts
 * const options: MlpEncoderOptions = { inputShape: [28, 28, 1], hiddenUnits: [512, 256], latentDim: 32, seed: 1 };
 * const encoder = mlpEncoder(options); // [batch, 28, 28, 1] → [mean, logVar], each [batch, 32]
 * ```
 * @group Architectures
 */
export interface MlpEncoderOptions extends VaeNetworkOptions {
  /**
   * Shape of one input example; a rank above 1 adds a flatten first.
   * @defaultValue `[784]`
   */
  readonly inputShape?: readonly number[];
  /**
   * Units of each hidden layer, input side first.
   * @defaultValue `[400]`, Kingma & Welling's MNIST encoder
   */
  readonly hiddenUnits?: readonly number[];
}

/**
 * Options of {@link mlpDecoder}.
 *
 * @example
 * ```ts
 * const options: MlpDecoderOptions = { latentDim: 32, hiddenUnits: [256, 512], outputShape: [28, 28, 1], seed: 2 };
 * const decoder = mlpDecoder(options); // [batch, 32] → logits [batch, 28, 28, 1]
 * ```
 * @group Architectures
 */
export interface MlpDecoderOptions extends VaeNetworkOptions {
  /**
   * Shape of one output example; a rank above 1 adds a reshape after the last dense layer.
   * @defaultValue `[784]`
   */
  readonly outputShape?: readonly number[];
  /**
   * Units of each hidden layer, latent side first.
   * @defaultValue `[400]`
   */
  readonly hiddenUnits?: readonly number[];
}

/**
 * Options of {@link convEncoder} and {@link convDecoder}.
 *
 * @example
 * ```ts
 * // 32×32 RGB: three halvings, 32 → 16 → 8 → 4.
 * const options: ConvVaeOptions = { imageShape: [32, 32, 3], filters: [32, 64, 128], latentDim: 64 };
 * const vae = new VAE({ dataShape: [32, 32, 3] }, {
 *   encoder: convEncoder({ ...options, seed: 1 }),
 *   decoder: convDecoder({ ...options, seed: 2 }),
 * });
 * ```
 * @group Architectures
 */
export interface ConvVaeOptions extends VaeNetworkOptions {
  /**
   * Shape of one image, `[height, width, channels]`; height and width must be divisible by 2^`filters.length`.
   * @defaultValue `[28, 28, 1]`
   */
  readonly imageShape?: readonly [number, number, number];
  /**
   * Filters of each stride-2 3×3 convolution, image side first (the decoder mirrors them).
   * @defaultValue `[32, 64]`
   */
  readonly filters?: readonly number[];
  /**
   * Units of the dense layer between the convolutions and the latent heads.
   * @defaultValue `256`
   */
  readonly denseUnits?: number;
}

const NETWORK_KEYS = ['latentDim', 'activation', 'seed', 'name'];
const FACTORY_KEYS = {
  MlpEncoderOptions: [...NETWORK_KEYS, 'inputShape', 'hiddenUnits'],
  MlpDecoderOptions: [...NETWORK_KEYS, 'outputShape', 'hiddenUnits'],
  ConvVaeOptions: [...NETWORK_KEYS, 'imageShape', 'filters', 'denseUnits'],
} as const;

function commonOptions(options: VaeNetworkOptions, fallbackName: string, typeName: keyof typeof FACTORY_KEYS) {
  checkFactoryOptions(options, FACTORY_KEYS[typeName], typeName);
  const latentDim = orDefault(options.latentDim, 20);
  assertPositiveInteger(latentDim, 'options.latentDim');
  const activation: HiddenActivation = checkActivation(orDefault(options.activation, 'relu'), 'options.activation');
  return { latentDim, activation, prefix: orDefault(options.name, fallbackName), seeds: new SeedStream(options.seed) };
}

/** The latent size as a factor. */
function latentFactor(latentDim: number): SizeFactor[] {
  return [{ value: latentDim, option: 'options.latentDim' }];
}

/** The hidden layers' sizes as factors, each named `options.hiddenUnits[i]`. */
function hiddenFactors(hidden: readonly number[]): SizeFactor[][] {
  return hidden.map((value, i) => [{ value, option: `options.hiddenUnits[${i}]` }]);
}

/**
 * Builds a functional network from the layers `build` applies through `use`, freeing their weights if it throws
 * part-way (tfjs-layers builds each layer's weights as it is applied, and no model owns them yet).
 */
function functional(
  build: (use: (layer: tfl.layers.Layer, h: tfl.SymbolicTensor) => tfl.SymbolicTensor) => tfl.LayersModel,
) {
  const made: tfl.layers.Layer[] = [];
  try {
    return build((layer, h) => {
      made.push(layer);
      return layer.apply(h) as tfl.SymbolicTensor;
    });
  } catch (e) {
    disposeLayers(made);
    throw e;
  }
}

/** The two linear heads of an encoder: `[mean, logVar]`. */
function latentHeads(
  h: tfl.SymbolicTensor,
  use: (layer: tfl.layers.Layer, h: tfl.SymbolicTensor) => tfl.SymbolicTensor,
  latentDim: number,
  seeds: SeedStream,
  prefix: string,
): tfl.SymbolicTensor[] {
  const mean = use(seededDense(latentDim, seeds, `${prefix}_mean`), h);
  const logVar = use(seededDense(latentDim, seeds, `${prefix}_logvar`), h);
  return [mean, logVar];
}

/**
 * A fully connected VAE encoder: `[batch, ...inputShape]` → hidden dense layers → two linear heads, the mean and the
 * log-variance of q(z|x), each `[batch, latentDim]`. With no options it is Kingma & Welling's MNIST encoder,
 * 784 → 400 → (20, 20), with ReLU.
 *
 * @param options - sizes, activation, input shape and seed
 * @returns an uncompiled two-output tfjs-layers model, ready for {@link VAE}
 * @throws {@link ConfigError} for a bad option, `null` included, or sizes whose weights would exceed 2^31 − 1 values
 * @see https://arxiv.org/abs/1312.6114
 *
 * @example
 * ```ts
 * const encoder = mlpEncoder({ seed: 1 });
 * const [mean, logVar] = encoder.predict(tf.zeros([8, 784])) as tf.Tensor[]; // [8, 20] each
 * ```
 * @group Architectures
 */
export function mlpEncoder(options: MlpEncoderOptions = {}): tfl.LayersModel {
  const { latentDim, activation, prefix, seeds } = commonOptions(options, 'encoder', 'MlpEncoderOptions');
  const hidden = checkSizes(orDefault(options.hiddenUnits, [400]), 'options.hiddenUnits');
  const inputShape = orDefault(options.inputShape, [784]);
  checkShape(inputShape, 'options.inputShape');
  assertDenseChain([shapeFactors(inputShape, 'options.inputShape'), ...hiddenFactors(hidden), latentFactor(latentDim)]);
  return functional((use) => {
    const input = tfl.input({ shape: [...inputShape], name: `${prefix}_x` });
    let h: tfl.SymbolicTensor = input;
    if (inputShape.length > 1) h = use(tfl.layers.flatten({ name: `${prefix}_flatten` }), h);
    hidden.forEach((units, i) => {
      h = use(seededDense(units, seeds, `${prefix}_dense${i}`), h);
      h = use(activationLayer(activation, `${prefix}_act${i}`), h);
    });
    return tfl.model({ inputs: input, outputs: latentHeads(h, use, latentDim, seeds, prefix), name: prefix });
  });
}

/**
 * A fully connected VAE decoder: z `[batch, latentDim]` → hidden dense layers → `[batch, ...outputShape]` with a linear
 * output: the logits of a Bernoulli likelihood, or the mean of a Gaussian one. With no options it is Kingma &
 * Welling's MNIST decoder, 20 → 400 → 784, with ReLU.
 *
 * @param options - sizes, activation, output shape and seed
 * @returns an uncompiled tfjs-layers model, ready for {@link VAE}
 * @throws {@link ConfigError} for a bad option, `null` included, or sizes whose weights would exceed 2^31 − 1 values
 * @see https://arxiv.org/abs/1312.6114
 *
 * @example
 * ```ts
 * const decoder = mlpDecoder({ seed: 2 });
 * const logits = decoder.predict(tf.zeros([8, 20])) as tf.Tensor; // [8, 784]
 * ```
 * @group Architectures
 */
export function mlpDecoder(options: MlpDecoderOptions = {}): tfl.LayersModel {
  const { latentDim, activation, prefix, seeds } = commonOptions(options, 'decoder', 'MlpDecoderOptions');
  const hidden = checkSizes(orDefault(options.hiddenUnits, [400]), 'options.hiddenUnits');
  const outputShape = orDefault(options.outputShape, [784]);
  checkShape(outputShape, 'options.outputShape');
  assertDenseChain([
    latentFactor(latentDim),
    ...hiddenFactors(hidden),
    shapeFactors(outputShape, 'options.outputShape'),
  ]);
  return buildSequential(prefix, (model) => {
    model.add(tfl.layers.inputLayer({ inputShape: [latentDim], name: `${prefix}_z` }));
    hidden.forEach((units, i) => {
      model.add(seededDense(units, seeds, `${prefix}_dense${i}`));
      model.add(activationLayer(activation, `${prefix}_act${i}`));
    });
    model.add(seededDense(product(outputShape), seeds, `${prefix}_out`));
    if (outputShape.length > 1) {
      model.add(tfl.layers.reshape({ targetShape: [...outputShape], name: `${prefix}_reshape` }));
    }
  });
}

function convShapes(options: ConvVaeOptions, latentDim: number, decoder: boolean) {
  const imageShape = orDefault(options.imageShape, [28, 28, 1]);
  if (!Array.isArray(imageShape) || imageShape.length !== 3) {
    throw new ConfigError('options.imageShape', '[height, width, channels]', describe(imageShape));
  }
  checkShape(imageShape, 'options.imageShape');
  const filters = checkSizes(orDefault(options.filters, [32, 64]), 'options.filters');
  if (filters.length === 0) throw new ConfigError('options.filters', 'at least one filter count', '[]');
  const denseUnits = orDefault(options.denseUnits, 256);
  assertPositiveInteger(denseUnits, 'options.denseUnits');
  const factor = 2 ** filters.length;
  const [height, width, channels] = imageShape;
  if (height % factor !== 0 || width % factor !== 0) {
    throw new ConfigError(
      'options.imageShape',
      `a height and width divisible by ${factor} (one halving per entry of options.filters)`,
      formatShape(imageShape),
    );
  }
  assertConvSizes(imageShape, filters, denseUnits, latentDim, decoder);
  return { imageShape, filters, denseUnits, inner: [height / factor, width / factor] as const, channels };
}

/**
 * Checks every weight and feature map of {@link convEncoder} or (`decoder`) its mirror {@link convDecoder} before
 * anything is built: the 3×3 kernels of channels × filters, each feature map, the dense layer to or from the
 * smallest one, and the latent heads or input layer.
 */
function assertConvSizes(
  imageShape: readonly number[],
  filters: readonly number[],
  denseUnits: number,
  latentDim: number,
  decoder: boolean,
): void {
  const [h, w, c] = shapeFactors(imageShape, 'options.imageShape') as [SizeFactor, SizeFactor, SizeFactor];
  const filter = (i: number): SizeFactor => ({ value: filters[i]!, option: `options.filters[${i}]` });
  const dense: SizeFactor = { value: denseUnits, option: 'options.denseUnits' };
  const last = filters.length - 1;
  assertBuildable('one image', [h, w, c]);
  assertBuildable('the latent layer’s kernel', [dense, ...latentFactor(latentDim)]);
  assertBuildable('the dense kernel beside the convolutions', [h, w, filter(last), dense], 1 / 4 ** filters.length);
  filters.forEach((_, i) => {
    // The encoder's convolution i halves the size to filters[i] channels; the decoder's transposed one doubles it.
    const halvings = decoder ? i : i + 1;
    assertBuildable('one example of a feature map', [h, w, filter(i)], 1 / 4 ** halvings);
    if (i > 0) assertBuildable('a 3×3 convolution kernel', [filter(i - 1), filter(i)], 9);
  });
  if (decoder) {
    assertBuildable('a 3×3 convolution kernel', [filter(last), filter(last)], 9); // the first transposed one
    assertBuildable('a 3×3 convolution kernel', [filter(0), c], 9); // back to the image's channels
  } else {
    assertBuildable('a 3×3 convolution kernel', [c, filter(0)], 9);
  }
}

/**
 * A convolutional VAE encoder for small images: `[batch, h, w, c]` → one stride-2 3×3 convolution per entry of
 * `filters` (each halving the size) → flatten → a dense layer → the two linear heads `[mean, logVar]`, each
 * `[batch, latentDim]`. With no options: 28×28×1 → 14×14×32 → 7×7×64 → 256 → (20, 20).
 *
 * Training convolutions needs the `Conv2DBackpropFilter` kernel, which the stock wasm backend lacks; use cpu, webgl,
 * webgpu or tfjs-node.
 *
 * @param options - image shape, filters, dense units, latent size, activation and seed
 * @returns an uncompiled two-output tfjs-layers model, ready for {@link VAE}
 * @throws {@link ConfigError} for a bad option, `null` included, or sizes whose weights would exceed 2^31 − 1 values
 *
 * @example
 * ```ts
 * const vae = new VAE({ dataShape: [28, 28, 1] }, {
 *   encoder: convEncoder({ seed: 1 }),
 *   decoder: convDecoder({ seed: 2 }),
 * });
 * ```
 * @group Architectures
 */
export function convEncoder(options: ConvVaeOptions = {}): tfl.LayersModel {
  const { latentDim, activation, prefix, seeds } = commonOptions(options, 'encoder', 'ConvVaeOptions');
  const { imageShape, filters, denseUnits } = convShapes(options, latentDim, false);
  return functional((use) => {
    const input = tfl.input({ shape: [...imageShape], name: `${prefix}_x` });
    let h: tfl.SymbolicTensor = input;
    filters.forEach((f, i) => {
      // [batch, h/2^(i+1), w/2^(i+1), f]
      h = use(seededConv('conv2d', f, 2, seeds, `${prefix}_conv${i}`), h);
      h = use(activationLayer(activation, `${prefix}_convact${i}`), h);
    });
    h = use(tfl.layers.flatten({ name: `${prefix}_flatten` }), h);
    h = use(seededDense(denseUnits, seeds, `${prefix}_dense`), h);
    h = use(activationLayer(activation, `${prefix}_act`), h);
    return tfl.model({ inputs: input, outputs: latentHeads(h, use, latentDim, seeds, prefix), name: prefix });
  });
}

/**
 * A convolutional VAE decoder mirroring {@link convEncoder}: z `[batch, latentDim]` → a dense layer → a dense layer to
 * the smallest feature map → one stride-2 3×3 transposed convolution per entry of `filters` (in reverse, each
 * doubling the size) → a 3×3 convolution to `channels` linear outputs, `[batch, h, w, c]`: the logits of a Bernoulli
 * likelihood or the mean of a Gaussian one. With no options: 20 → 256 → 7×7×64 → 14×14×64 → 28×28×32 → 28×28×1.
 *
 * Like {@link convEncoder}, it cannot be trained on the stock wasm backend.
 *
 * @param options - image shape, filters, dense units, latent size, activation and seed
 * @returns an uncompiled tfjs-layers model, ready for {@link VAE}
 * @throws {@link ConfigError} for a bad option, `null` included, or sizes whose weights would exceed 2^31 − 1 values
 *
 * @example
 * ```ts
 * const decoder = convDecoder({ imageShape: [28, 28, 3], seed: 2 });
 * const logits = decoder.predict(tf.zeros([4, 20])) as tf.Tensor; // [4, 28, 28, 3]
 * ```
 * @group Architectures
 */
export function convDecoder(options: ConvVaeOptions = {}): tfl.LayersModel {
  const { latentDim, activation, prefix, seeds } = commonOptions(options, 'decoder', 'ConvVaeOptions');
  const { filters, denseUnits, inner, channels } = convShapes(options, latentDim, true);
  const reversed = [...filters].reverse();
  const first = reversed[0] ?? 1;
  return buildSequential(prefix, (model) => {
    model.add(tfl.layers.inputLayer({ inputShape: [latentDim], name: `${prefix}_z` }));
    model.add(seededDense(denseUnits, seeds, `${prefix}_dense`));
    model.add(activationLayer(activation, `${prefix}_act`));
    model.add(seededDense(inner[0] * inner[1] * first, seeds, `${prefix}_project`));
    model.add(activationLayer(activation, `${prefix}_projectact`));
    // [batch, h/2^k, w/2^k, f], k = filters.length
    model.add(tfl.layers.reshape({ targetShape: [inner[0], inner[1], first], name: `${prefix}_reshape` }));
    reversed.forEach((f, i) => {
      model.add(seededConv('conv2dTranspose', f, 2, seeds, `${prefix}_deconv${i}`)); // doubles height and width
      model.add(activationLayer(activation, `${prefix}_deconvact${i}`));
    });
    model.add(seededConv('conv2d', channels, 1, seeds, `${prefix}_out`)); // [batch, h, w, channels]
  });
}
