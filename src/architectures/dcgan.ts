/**
 * Convolutional GAN networks after Radford et al. (2015), "DCGAN", sized for small images such as 28×28×C digits.
 * @module
 */

import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';
import { assertNumberInRange, assertPositiveInteger, describe, formatShape } from '../internal/shapes';
import { SeedStream } from '../random';
import {
  activationLayer,
  assertBuildable,
  checkFactoryOptions,
  checkShape,
  checkSizes,
  buildSequential,
  orDefault,
  shapeFactors,
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

/**
 * Options shared by {@link dcganGenerator} and {@link dcganDiscriminator}.
 *
 * @example
 * ```ts
 * const rgb: DcganOptions = { imageShape: [32, 32, 3], kernelSize: 5 };
 * const generator = dcganGenerator({ ...rgb, seed: 1 });
 * const discriminator = dcganDiscriminator({ ...rgb, seed: 2 });
 * ```
 * @group Architectures
 */
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

/**
 * Options of {@link dcganGenerator}.
 *
 * @example
 * ```ts
 * const options: DcganGeneratorOptions = { latentDim: 64, filters: [64, 32], seed: 1 };
 * const generator = dcganGenerator(options);
 * ```
 * @group Architectures
 */
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
 *
 * @example
 * ```ts
 * const options: DcganDiscriminatorOptions = { filters: [32, 64], activation: 'safeLeakyRelu', classes: 10, conditioning: 'embedding' };
 * const discriminator = dcganDiscriminator(options); // inputs [x, labels]
 * ```
 * @group Architectures
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
  const imageShape = orDefault(options.imageShape, [28, 28, 1]);
  checkShape(imageShape, 'options.imageShape');
  const [height, width, channels] = imageShape;
  if (imageShape.length !== 3 || height % 4 !== 0 || width % 4 !== 0) {
    throw new ConfigError(
      'options.imageShape',
      '[height, width, channels] with height and width divisible by 4',
      formatShape(imageShape),
    );
  }
  const kernelSize = orDefault(options.kernelSize, 5);
  assertPositiveInteger(kernelSize, 'options.kernelSize');
  return { height, width, channels, kernelSize };
}

/** The image's sides and channels, the kernel's side (squared) and two filter counts, as size factors. */
function dcganFactors(image: CheckedImage, filters: readonly [number, number]) {
  const [h, w, c] = shapeFactors([image.height, image.width, image.channels], 'options.imageShape') as [
    SizeFactor,
    SizeFactor,
    SizeFactor,
  ];
  const kernel: SizeFactor = { value: image.kernelSize, option: 'options.kernelSize', power: 2 };
  const filter = (i: 0 | 1): SizeFactor => ({ value: filters[i], option: `options.filters[${i}]` });
  assertBuildable('one image', [h, w, c]);
  return { h, w, c, kernel, f0: filter(0), f1: filter(1) };
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
 * @throws {@link ConfigError} for a bad option, `null` included, or sizes whose weights would exceed 2^31 − 1 values
 *
 * @example
 * ```ts
 * const gan = new GAN(
 *   { seed: 1 },
 *   { generator: dcganGenerator({ seed: 1 }), discriminator: dcganDiscriminator({ seed: 2 }) },
 * ); // trains on batches of [batch, 28, 28, 1] in [-1, 1]
 * ```
 * @group Architectures
 */
export function dcganGenerator(options: DcganGeneratorOptions = {}): tfl.LayersModel {
  checkFactoryOptions(options, GENERATOR_KEYS, 'DcganGeneratorOptions');
  const image = checkImage(options);
  const { height, width, channels, kernelSize } = image;
  const latentDim = orDefault(options.latentDim, 100);
  assertPositiveInteger(latentDim, 'options.latentDim');
  const filters = checkFilters(orDefault(options.filters, [128, 64]), 'options.filters');
  const [projected, inner] = filters;
  const { h, w, c, kernel, f0, f1 } = dcganFactors(image, filters);
  const z: SizeFactor = { value: latentDim, option: 'options.latentDim' };
  assertBuildable('the projection’s kernel', [z, h, w, f0], 1 / 16);
  assertBuildable('one example of a feature map', [h, w, f0], 1 / 16);
  assertBuildable('a transposed convolution kernel', [kernel, f0, f1]);
  assertBuildable('one example of a feature map', [h, w, f1], 1 / 4);
  assertBuildable('a transposed convolution kernel', [kernel, f1, c]);
  const conditional = checkConditioning(options, false);
  const labelWidth =
    conditional.classes === undefined
      ? 0
      : conditional.conditioning === 'embedding'
      ? conditional.embeddingDim
      : conditional.classes;
  if (conditional.classes !== undefined) {
    const classes: SizeFactor = { value: conditional.classes, option: 'options.classes' };
    assertBuildable('the label embedding', [classes, { value: labelWidth, option: 'options.embeddingDim' }]);
    assertBuildable(
      'the projection’s kernel',
      [{ value: latentDim + labelWidth, option: 'options.classes' }, h, w, f0],
      1 / 16,
    );
  }
  const prefix = orDefault(options.name, 'generator');
  const seeds = new SeedStream(options.seed);
  const body = (model: LayerSink) => {
    model.add(
      tfl.layers.dense({
        units: (height / 4) * (width / 4) * projected,
        useBias: false,
        name: `${prefix}_project`,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
      }),
    ); // [batch, h/4 · w/4 · filters[0]]
    model.add(batchNorm(`${prefix}_bn0`));
    model.add(tfl.layers.reLU({ name: `${prefix}_act0` }));
    model.add(tfl.layers.reshape({ targetShape: [height / 4, width / 4, projected], name: `${prefix}_reshape` }));
    const deconv1 = { filters: inner, kernelSize, useBias: false, name: `${prefix}_deconv1` };
    model.add(seededStride2('conv2dTranspose', deconv1, seeds)); // [batch, h/2, w/2, filters[1]]
    model.add(batchNorm(`${prefix}_bn1`));
    model.add(tfl.layers.reLU({ name: `${prefix}_act1` }));
    const deconv2 = {
      filters: channels,
      kernelSize,
      useBias: true,
      activation: 'tanh' as const,
      name: `${prefix}_deconv2`,
    };
    model.add(seededStride2('conv2dTranspose', deconv2, seeds)); // [batch, h, w, channels]
  };
  return buildGenerator(prefix, latentDim, conditional, seeds, body);
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
 * @throws {@link ConfigError} for a bad option, `null` included, or sizes whose weights would exceed 2^31 − 1 values
 *
 * @example
 * ```ts
 * const discriminator = dcganDiscriminator({ imageShape: [28, 28, 3], dropout: 0.4, seed: 2 });
 * ```
 * @group Architectures
 */
export function dcganDiscriminator(options: DcganDiscriminatorOptions = {}): tfl.LayersModel {
  checkFactoryOptions(options, DISCRIMINATOR_KEYS, 'DcganDiscriminatorOptions');
  const image = checkImage(options);
  const { height, width, channels, kernelSize } = image;
  const filters = checkFilters(orDefault(options.filters, [64, 128]), 'options.filters');
  const rate = orDefault(options.dropout, 0.3);
  assertNumberInRange(rate, 'options.dropout', 0, 0.99);
  const activation = orDefault(options.activation, 'leakyRelu');
  if (activation !== 'leakyRelu' && activation !== 'safeLeakyRelu') {
    throw new ConfigError('options.activation', "'leakyRelu' or 'safeLeakyRelu'", describe(activation));
  }
  const { h, w, c, kernel, f0, f1 } = dcganFactors(image, filters);
  assertBuildable('a convolution kernel', [kernel, c, f0]);
  assertBuildable('one example of a feature map', [h, w, f0], 1 / 4);
  assertBuildable('a convolution kernel', [kernel, f0, f1]);
  assertBuildable('one example of a feature map', [h, w, f1], 1 / 16); // also the logit's kernel
  const conditional = checkConditioning(options, true);
  if (conditional.classes !== undefined) {
    const classes: SizeFactor = { value: conditional.classes, option: 'options.classes' };
    assertBuildable('the tiled label maps', [h, w, classes]);
    assertBuildable('the label embedding', [classes, h, w]);
    assertBuildable('a convolution kernel', [
      kernel,
      { value: channels + conditional.classes, option: 'options.classes' },
      f0,
    ]);
    assertBuildable('the class head', [h, w, f1, classes], 1 / 16);
  }
  const prefix = orDefault(options.name, 'discriminator');
  const seeds = new SeedStream(options.seed);
  const convs = (model: LayerSink) => {
    filters.forEach((f, i) => {
      const conv = { filters: f, kernelSize, useBias: true, name: `${prefix}_conv${i}` };
      model.add(seededStride2('conv2d', conv, seeds)); // [batch, h/2^(i+1), w/2^(i+1), f]
      model.add(activationLayer(activation, `${prefix}_act${i}`));
      if (rate > 0) model.add(new SeededDropout({ rate, seed: seeds.next(), name: `${prefix}_dropout${i}` }));
    });
    model.add(tfl.layers.flatten({ name: `${prefix}_flatten` })); // [batch, h/4 · w/4 · filters[1]]
  };
  const logit = () =>
    tfl.layers.dense({
      units: 1,
      name: `${prefix}_logit`,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
      biasInitializer: 'zeros',
    });
  const classes = conditional.classes;
  if (classes === undefined) {
    return buildSequential(prefix, (model) => {
      model.add(tfl.layers.inputLayer({ inputShape: [height, width, channels], name: `${prefix}_x` }));
      convs(model);
      model.add(logit());
    });
  }
  return buildFunctional(prefix, (track) => {
    const x = tfl.input({ shape: [height, width, channels], name: `${prefix}_x` });
    const inputs = [x];
    const chain = new LayerChain(track, x);
    if (conditional.conditioning !== 'none') {
      const labels = labelInput(classes, prefix);
      inputs.push(labels);
      const maps = new LayerChain(track, labels);
      if (conditional.conditioning === 'one-hot') {
        maps.add(tfl.layers.repeatVector({ n: height * width, name: `${prefix}_tile` })); // [batch, h · w, classes]
        maps.add(tfl.layers.reshape({ targetShape: [height, width, classes], name: `${prefix}_label_maps` }));
      } else {
        maps.output = labelFeatures(track, labels, 'embedding', height * width, seeds, `${prefix}_embedding`);
        maps.add(tfl.layers.reshape({ targetShape: [height, width, 1], name: `${prefix}_label_map` }));
      } // [batch, h, w, classes or 1]
      chain.output = join(track, x, maps.output, `${prefix}_join`); // [batch, h, w, C + maps]
    }
    convs(chain);
    const features = chain.output;
    const outputs = [track(logit()).apply(features) as tfl.SymbolicTensor];
    if (conditional.auxiliaryClassifier)
      outputs.push(classifierHead(track, features, classes, seeds, `${prefix}_classes`));
    return { inputs, outputs };
  });
}
