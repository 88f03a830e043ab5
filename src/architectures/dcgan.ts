/**
 * Convolutional GAN networks after Radford et al. (2015), "DCGAN", sized for small images such as 28×28×C digits.
 * @module
 */

import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';
import { assertNumberInRange, assertPositiveInteger, describe, formatShape } from '../internal/shapes';
import { SeedStream } from '../random';
import { activationLayer, checkFactoryOptions, checkShape, checkSizes } from './layers';
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

/** Options shared by {@link dcganGenerator} and {@link dcganDiscriminator}. */
export interface DcganOptions {
  /**
   * Shape of one image, `[height, width, channels]`; height and width must be divisible by 4 (two stride-2 layers).
   * @defaultValue `[28, 28, 1]`
   */
  readonly imageShape?: readonly [number, number, number];
  /**
   * Height and width of each (transposed) convolution kernel.
   * @defaultValue `5`
   */
  readonly kernelSize?: number;
  /**
   * Seed of the Glorot-uniform kernel initialisers (and the discriminator's dropout masks), any safe integer;
   * omitted, runs differ.
   */
  readonly seed?: number;
  /** Prefix of layer names, so two networks in one page stay distinguishable. */
  readonly name?: string;
}

/** Options of {@link dcganGenerator}. */
export interface DcganGeneratorOptions extends DcganOptions, ConditionalGeneratorOptions {
  /**
   * Size of the latent vector z.
   * @defaultValue `100`
   */
  readonly latentDim?: number;
  /**
   * Channels of the two inner feature maps, coarse first: the dense projection to (height/4)×(width/4)×`filters[0]`,
   * then the first transposed convolution to (height/2)×(width/2)×`filters[1]`.
   * @defaultValue `[128, 64]`
   */
  readonly filters?: readonly [number, number];
}

/**
 * Options of {@link dcganDiscriminator}. With `classes`, the labels enter as extra input channels: `'one-hot'` tiles
 * the one-hot row over the image (`classes` channels), `'embedding'` projects it to one learned h×w channel.
 */
export interface DcganDiscriminatorOptions extends DcganOptions, ConditionalDiscriminatorOptions {
  /**
   * Filters of the two stride-2 convolutions, image side first.
   * @defaultValue `[64, 128]`
   */
  readonly filters?: readonly [number, number];
  /**
   * Dropout rate after each LeakyReLU, active in training steps only.
   * @defaultValue `0.3`
   */
  readonly dropout?: number;
  /**
   * The leaky ReLU: tfjs's own (`'leakyRelu'`, one kernel), or {@link SafeLeakyReLU} (`'safeLeakyRelu'`, the same
   * values and first derivative, and a second derivative tfjs can take), which a gradient penalty (WGAN-GP, R1) needs.
   * @defaultValue `'leakyRelu'`
   */
  readonly activation?: 'leakyRelu' | 'safeLeakyRelu';
}

const DCGAN_KEYS = ['imageShape', 'kernelSize', 'seed', 'name'];
const GENERATOR_KEYS = [...DCGAN_KEYS, 'latentDim', 'filters', ...CONDITIONAL_GENERATOR_KEYS];
const DISCRIMINATOR_KEYS = [...DCGAN_KEYS, 'filters', 'dropout', 'activation', ...CONDITIONAL_DISCRIMINATOR_KEYS];

interface CheckedImage {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly kernelSize: number;
}

function checkImage(options: DcganOptions): CheckedImage {
  const imageShape = options.imageShape ?? [28, 28, 1];
  checkShape(imageShape, 'options.imageShape');
  const [height, width, channels] = imageShape;
  if (imageShape.length !== 3 || height % 4 !== 0 || width % 4 !== 0) {
    throw new ConfigError(
      'options.imageShape',
      '[height, width, channels] with height and width divisible by 4',
      formatShape(imageShape),
    );
  }
  const kernelSize = options.kernelSize ?? 5;
  assertPositiveInteger(kernelSize, 'options.kernelSize');
  return { height, width, channels, kernelSize };
}

function checkFilters(filters: readonly number[], argument: string): readonly [number, number] {
  checkSizes(filters, argument);
  const [first, second] = filters;
  if (filters.length !== 2 || first === undefined || second === undefined) {
    throw new ConfigError(argument, 'two filter counts', String(filters.length));
  }
  return [first, second];
}

interface ConvArgs {
  readonly filters: number;
  readonly kernelSize: number;
  readonly name: string;
  readonly useBias: boolean;
  readonly activation?: 'tanh';
}

/** A stride-2 'same' (transposed) convolution with a seeded Glorot-uniform kernel. */
function seededStride2(kind: 'conv2d' | 'conv2dTranspose', args: ConvArgs, seeds: SeedStream): tfl.layers.Layer {
  const config = {
    ...args,
    strides: 2,
    padding: 'same' as const,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
    ...(args.useBias ? { biasInitializer: 'zeros' as const } : {}),
  };
  return kind === 'conv2d' ? tfl.layers.conv2d(config) : tfl.layers.conv2dTranspose(config);
}

function batchNorm(name: string): tfl.layers.Layer {
  return tfl.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3, name });
}

/**
 * A DCGAN generator: z `[batch, latentDim]` → dense to (h/4)·(w/4)·128 → batch norm → ReLU → reshape → 5×5
 * stride-2 transposed convolution to 64 channels → batch norm → ReLU → 5×5 stride-2 transposed convolution to C
 * channels with tanh → `[batch, h, w, C]`, images in [−1, 1]. Layers followed by batch norm have no bias.
 *
 * @see https://arxiv.org/abs/1511.06434
 *
 * @param options - image shape, latent size, filters, kernel size and seed
 * @returns an uncompiled tfjs-layers model, ready for {@link GAN}
 * @throws {@link ConfigError} for a bad option
 *
 * @example
 * ```ts
 * const gan = new GAN(
 *   { seed: 1 },
 *   { generator: dcganGenerator({ seed: 1 }), discriminator: dcganDiscriminator({ seed: 2 }) },
 * ); // trains on batches of [batch, 28, 28, 1] in [-1, 1]
 * ```
 */
export function dcganGenerator(options: DcganGeneratorOptions = {}): tfl.LayersModel {
  checkFactoryOptions(options, GENERATOR_KEYS, 'DcganGeneratorOptions');
  const { height, width, channels, kernelSize } = checkImage(options);
  const latentDim = options.latentDim ?? 100;
  assertPositiveInteger(latentDim, 'options.latentDim');
  const [projected, inner] = checkFilters(options.filters ?? [128, 64], 'options.filters');
  const conditional = checkConditioning(options, false);
  const prefix = options.name ?? 'generator';
  const seeds = new SeedStream(options.seed);
  const layers: tfl.layers.Layer[] = [
    tfl.layers.dense({
      units: (height / 4) * (width / 4) * projected,
      useBias: false,
      name: `${prefix}_project`,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
    }), // [batch, h/4 · w/4 · filters[0]]
    batchNorm(`${prefix}_bn0`),
    tfl.layers.reLU({ name: `${prefix}_act0` }),
    tfl.layers.reshape({ targetShape: [height / 4, width / 4, projected], name: `${prefix}_reshape` }),
    seededStride2('conv2dTranspose', { filters: inner, kernelSize, useBias: false, name: `${prefix}_deconv1` }, seeds), // [batch, h/2, w/2, filters[1]]
    batchNorm(`${prefix}_bn1`),
    tfl.layers.reLU({ name: `${prefix}_act1` }),
    seededStride2(
      'conv2dTranspose',
      { filters: channels, kernelSize, useBias: true, activation: 'tanh', name: `${prefix}_deconv2` },
      seeds,
    ), // [batch, h, w, channels]
  ];
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
 * A DCGAN discriminator: `[batch, h, w, C]` → 5×5 stride-2 convolution to 64 filters → LeakyReLU(0.2) → dropout →
 * 5×5 stride-2 convolution to 128 filters → LeakyReLU(0.2) → dropout → flatten → one logit `[batch, 1]` (no sigmoid:
 * the losses take logits).
 *
 * @see https://arxiv.org/abs/1511.06434
 *
 * @param options - image shape, filters, kernel size, dropout and seed
 * @returns an uncompiled tfjs-layers model, ready for {@link GAN}
 * @throws {@link ConfigError} for a bad option
 *
 * @example
 * ```ts
 * const discriminator = dcganDiscriminator({ imageShape: [28, 28, 3], dropout: 0.4, seed: 2 });
 * ```
 */
export function dcganDiscriminator(options: DcganDiscriminatorOptions = {}): tfl.LayersModel {
  checkFactoryOptions(options, DISCRIMINATOR_KEYS, 'DcganDiscriminatorOptions');
  const { height, width, channels, kernelSize } = checkImage(options);
  const filters = checkFilters(options.filters ?? [64, 128], 'options.filters');
  const rate = options.dropout ?? 0.3;
  assertNumberInRange(rate, 'options.dropout', 0, 0.99);
  const activation = options.activation ?? 'leakyRelu';
  if (activation !== 'leakyRelu' && activation !== 'safeLeakyRelu') {
    throw new ConfigError('options.activation', "'leakyRelu' or 'safeLeakyRelu'", describe(activation));
  }
  const conditional = checkConditioning(options, true);
  const prefix = options.name ?? 'discriminator';
  const seeds = new SeedStream(options.seed);
  const body: tfl.layers.Layer[] = [];
  filters.forEach((f, i) => {
    body.push(seededStride2('conv2d', { filters: f, kernelSize, useBias: true, name: `${prefix}_conv${i}` }, seeds)); // [batch, h/2^(i+1), w/2^(i+1), f]
    body.push(activationLayer(activation, `${prefix}_act${i}`));
    if (rate > 0) body.push(new SeededDropout({ rate, seed: seeds.next(), name: `${prefix}_dropout${i}` }));
  });
  body.push(tfl.layers.flatten({ name: `${prefix}_flatten` })); // [batch, h/4 · w/4 · filters[1]]
  const logit = tfl.layers.dense({
    units: 1,
    name: `${prefix}_logit`,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
    biasInitializer: 'zeros',
  });
  if (conditional.classes === undefined) {
    const model = tfl.sequential({ name: prefix });
    model.add(tfl.layers.inputLayer({ inputShape: [height, width, channels], name: `${prefix}_x` }));
    for (const layer of [...body, logit]) model.add(layer);
    return model;
  }
  const x = tfl.input({ shape: [height, width, channels], name: `${prefix}_x` });
  const inputs = [x];
  let h = x;
  if (conditional.conditioning !== 'none') {
    const labels = labelInput(conditional.classes, prefix);
    inputs.push(labels);
    const maps =
      conditional.conditioning === 'one-hot'
        ? chain(labels, [
            tfl.layers.repeatVector({ n: height * width, name: `${prefix}_tile` }), // [batch, h · w, classes]
            tfl.layers.reshape({ targetShape: [height, width, conditional.classes], name: `${prefix}_label_maps` }),
          ])
        : chain(labelFeatures(labels, 'embedding', height * width, seeds, `${prefix}_embedding`), [
            tfl.layers.reshape({ targetShape: [height, width, 1], name: `${prefix}_label_map` }),
          ]); // [batch, h, w, classes or 1]
    h = tfl.layers.concatenate({ name: `${prefix}_join` }).apply([x, maps]) as tfl.SymbolicTensor; // [batch, h, w, C + maps]
  }
  const features = chain(h, body);
  const outputs = [logit.apply(features) as tfl.SymbolicTensor];
  if (conditional.auxiliaryClassifier) {
    outputs.push(classifierHead(features, conditional.classes, seeds, `${prefix}_classes`));
  }
  return tfl.model({ inputs, outputs, name: prefix });
}
