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
  checkActivation,
  checkFactoryOptions,
  checkShape,
  checkSizes,
  product,
  seededConv,
  seededDense,
  type HiddenActivation,
} from './layers';

/** Options shared by the VAE network factories. */
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

/** Options of {@link mlpEncoder}. */
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

/** Options of {@link mlpDecoder}. */
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

/** Options of {@link convEncoder} and {@link convDecoder}. */
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
  const latentDim = options.latentDim ?? 20;
  assertPositiveInteger(latentDim, 'options.latentDim');
  const activation: HiddenActivation = checkActivation(options.activation ?? 'relu', 'options.activation');
  return { latentDim, activation, prefix: options.name ?? fallbackName, seeds: new SeedStream(options.seed) };
}

/** The two linear heads of an encoder: `[mean, logVar]`. */
function latentHeads(
  h: tfl.SymbolicTensor,
  latentDim: number,
  seeds: SeedStream,
  prefix: string,
): tfl.SymbolicTensor[] {
  const mean = seededDense(latentDim, seeds, `${prefix}_mean`).apply(h) as tfl.SymbolicTensor;
  const logVar = seededDense(latentDim, seeds, `${prefix}_logvar`).apply(h) as tfl.SymbolicTensor;
  return [mean, logVar];
}

/**
 * A fully connected VAE encoder: `[batch, ...inputShape]` → hidden dense layers → two linear heads, the mean and the
 * log-variance of q(z|x), each `[batch, latentDim]`. With no options it is Kingma & Welling's MNIST encoder,
 * 784 → 400 → (20, 20), with ReLU.
 *
 * @param options - sizes, activation, input shape and seed
 * @returns an uncompiled two-output tfjs-layers model, ready for {@link VAE}
 * @see https://arxiv.org/abs/1312.6114
 *
 * @example
 * ```ts
 * const encoder = mlpEncoder({ seed: 1 });
 * const [mean, logVar] = encoder.predict(tf.zeros([8, 784])) as tf.Tensor[]; // [8, 20] each
 * ```
 */
export function mlpEncoder(options: MlpEncoderOptions = {}): tfl.LayersModel {
  const { latentDim, activation, prefix, seeds } = commonOptions(options, 'encoder', 'MlpEncoderOptions');
  const hidden = checkSizes(options.hiddenUnits ?? [400], 'options.hiddenUnits');
  const inputShape = options.inputShape ?? [784];
  checkShape(inputShape, 'options.inputShape');
  const input = tfl.input({ shape: [...inputShape], name: `${prefix}_x` });
  let h: tfl.SymbolicTensor = input;
  if (inputShape.length > 1) h = tfl.layers.flatten({ name: `${prefix}_flatten` }).apply(h) as tfl.SymbolicTensor;
  hidden.forEach((units, i) => {
    h = seededDense(units, seeds, `${prefix}_dense${i}`).apply(h) as tfl.SymbolicTensor;
    h = activationLayer(activation, `${prefix}_act${i}`).apply(h) as tfl.SymbolicTensor;
  });
  return tfl.model({ inputs: input, outputs: latentHeads(h, latentDim, seeds, prefix), name: prefix });
}

/**
 * A fully connected VAE decoder: z `[batch, latentDim]` → hidden dense layers → `[batch, ...outputShape]` with a linear
 * output: the logits of a Bernoulli likelihood, or the mean of a Gaussian one. With no options it is Kingma &
 * Welling's MNIST decoder, 20 → 400 → 784, with ReLU.
 *
 * @param options - sizes, activation, output shape and seed
 * @returns an uncompiled tfjs-layers model, ready for {@link VAE}
 * @see https://arxiv.org/abs/1312.6114
 *
 * @example
 * ```ts
 * const decoder = mlpDecoder({ seed: 2 });
 * const logits = decoder.predict(tf.zeros([8, 20])) as tf.Tensor; // [8, 784]
 * ```
 */
export function mlpDecoder(options: MlpDecoderOptions = {}): tfl.LayersModel {
  const { latentDim, activation, prefix, seeds } = commonOptions(options, 'decoder', 'MlpDecoderOptions');
  const hidden = checkSizes(options.hiddenUnits ?? [400], 'options.hiddenUnits');
  const outputShape = options.outputShape ?? [784];
  checkShape(outputShape, 'options.outputShape');
  const model = tfl.sequential({ name: prefix });
  model.add(tfl.layers.inputLayer({ inputShape: [latentDim], name: `${prefix}_z` }));
  hidden.forEach((units, i) => {
    model.add(seededDense(units, seeds, `${prefix}_dense${i}`));
    model.add(activationLayer(activation, `${prefix}_act${i}`));
  });
  model.add(seededDense(product(outputShape), seeds, `${prefix}_out`));
  if (outputShape.length > 1) {
    model.add(tfl.layers.reshape({ targetShape: [...outputShape], name: `${prefix}_reshape` }));
  }
  return model;
}

function convShapes(options: ConvVaeOptions) {
  const imageShape = options.imageShape ?? [28, 28, 1];
  if (!Array.isArray(imageShape) || imageShape.length !== 3) {
    throw new ConfigError('options.imageShape', '[height, width, channels]', describe(imageShape));
  }
  checkShape(imageShape, 'options.imageShape');
  const filters = checkSizes(options.filters ?? [32, 64], 'options.filters');
  if (filters.length === 0) throw new ConfigError('options.filters', 'at least one filter count', '[]');
  const denseUnits = options.denseUnits ?? 256;
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
  return { imageShape, filters, denseUnits, inner: [height / factor, width / factor] as const, channels };
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
 *
 * @example
 * ```ts
 * const vae = new VAE({ dataShape: [28, 28, 1] }, {
 *   encoder: convEncoder({ seed: 1 }),
 *   decoder: convDecoder({ seed: 2 }),
 * });
 * ```
 */
export function convEncoder(options: ConvVaeOptions = {}): tfl.LayersModel {
  const { latentDim, activation, prefix, seeds } = commonOptions(options, 'encoder', 'ConvVaeOptions');
  const { imageShape, filters, denseUnits } = convShapes(options);
  const input = tfl.input({ shape: [...imageShape], name: `${prefix}_x` });
  let h: tfl.SymbolicTensor = input;
  filters.forEach((f, i) => {
    // [batch, h/2^(i+1), w/2^(i+1), f]
    h = seededConv('conv2d', f, 2, seeds, `${prefix}_conv${i}`).apply(h) as tfl.SymbolicTensor;
    h = activationLayer(activation, `${prefix}_convact${i}`).apply(h) as tfl.SymbolicTensor;
  });
  h = tfl.layers.flatten({ name: `${prefix}_flatten` }).apply(h) as tfl.SymbolicTensor;
  h = seededDense(denseUnits, seeds, `${prefix}_dense`).apply(h) as tfl.SymbolicTensor;
  h = activationLayer(activation, `${prefix}_act`).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: latentHeads(h, latentDim, seeds, prefix), name: prefix });
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
 *
 * @example
 * ```ts
 * const decoder = convDecoder({ imageShape: [28, 28, 3], seed: 2 });
 * const logits = decoder.predict(tf.zeros([4, 20])) as tf.Tensor; // [4, 28, 28, 3]
 * ```
 */
export function convDecoder(options: ConvVaeOptions = {}): tfl.LayersModel {
  const { latentDim, activation, prefix, seeds } = commonOptions(options, 'decoder', 'ConvVaeOptions');
  const { filters, denseUnits, inner, channels } = convShapes(options);
  const reversed = [...filters].reverse();
  const first = reversed[0] ?? 1;
  const model = tfl.sequential({ name: prefix });
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
  return model;
}
