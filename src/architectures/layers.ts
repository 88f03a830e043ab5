/**
 * Small building blocks shared by the architecture factories: seeded layers and option checks. Internal: nothing here
 * is part of the package's public API.
 * @module
 */

import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';
import { SafeLeakyReLU } from './activations';
import { assertOptions } from '../internal/options';
import { assertCount, describe } from '../internal/shapes';
import { assertSeed, type SeedStream } from '../random';

/**
 * Hidden-layer activations the factories accept; `'leakyRelu'` uses slope 0.2.
 *
 * @example
 * ```ts
 * // A gradient penalty differentiates D twice, which tfjs's leakyRelu does not allow:
 * const activation: HiddenActivation = 'safeLeakyRelu';
 * const discriminator = mlpDiscriminator({ activation, seed: 1 });
 * ```
 * @group Architectures
 */
export type HiddenActivation = 'relu' | 'leakyRelu' | 'safeLeakyRelu' | 'tanh';

/**
 * Checks a factory's options object before anything is built: only documented keys (so `latentdim` is an error, not
 * a silently ignored option), a safe-integer seed and a string name.
 */
export function checkFactoryOptions(options: unknown, known: readonly string[], typeName: string): void {
  assertOptions(options, known, 'options', typeName);
  if (options['seed'] !== undefined) assertSeed(options['seed'], 'options.seed');
  const name = options['name'];
  // tfjs-layers' own rule for names, checked here so a bad one is a typed error before anything is built.
  if (name !== undefined && (typeof name !== 'string' || !/^[A-Za-z0-9][-A-Za-z0-9._/]*$/.test(name))) {
    const expected = 'a name of letters, digits and . _ - /, starting with a letter or digit';
    throw new ConfigError('options.name', expected, describe(name));
  }
}

/**
 * An option's value, or `fallback` when it is left out. Only `undefined` means "left out": `null` is a value like any
 * other, and the option's check refuses it, as the model configs do.
 */
export function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

/** The most values one tensor can hold (typed arrays are indexed by 32-bit integers), as tfjs allows. */
const MAX_TENSOR_SIZE = 2 ** 31 - 1;

/** One factor of a tensor's element count: an option's value, the option's path, and its power (a kernel side is 2). */
export interface SizeFactor {
  readonly value: number;
  readonly option: string;
  readonly power?: number;
}

/** The factors of one example of `shape`, each named `argument[i]`. */
export function shapeFactors(shape: readonly number[], argument: string): SizeFactor[] {
  return shape.map((value, i) => ({ value, option: `${argument}[${i}]` }));
}

/**
 * Checks that a tensor a factory is about to build (a weight, or one example's output of a layer) has at most
 * 2^31 − 1 values, before anything is built: each size is bounded on its own, but a weight's count is a product
 * (fan-in × fan-out, kernel² × channels × filters), and tfjs would fail deep inside with a RangeError. The option
 * named is the largest factor (the last of equals), the one to lower. `scale` is a constant factor (1/4 per halving).
 */
export function assertBuildable(what: string, factors: readonly SizeFactor[], scale = 1): void {
  const sizeOf = (f: SizeFactor) => f.value ** (f.power ?? 1);
  const count = factors.reduce((n, f) => n * sizeOf(f), scale);
  if (count <= MAX_TENSOR_SIZE) return;
  let blamed = factors[0]!;
  for (const f of factors) if (sizeOf(f) >= sizeOf(blamed)) blamed = f;
  const power = blamed.power ?? 1;
  const rest = count / sizeOf(blamed);
  let most = Math.floor((MAX_TENSOR_SIZE / rest) ** (1 / power));
  while (most >= 1 && rest * most ** power > MAX_TENSOR_SIZE) most--;
  const why = `${what} would hold ${count} values; tfjs allows 2^31 − 1 per tensor`;
  const expected = most >= 1 ? `an integer in [1, ${most}] (${why})` : `a smaller size (${why})`;
  throw new ConfigError(blamed.option, expected, describe(blamed.value));
}

/**
 * Checks a chain of dense layers before it is built: `sizes[0]` is one input example's size, each later entry the
 * units of a layer, all as factors. Every example size and every kernel (previous size × units) must be buildable.
 */
export function assertDenseChain(sizes: readonly (readonly SizeFactor[])[]): void {
  sizes.forEach((size, i) => {
    assertBuildable(i === 0 ? 'one input example' : 'one example of a dense layer’s output', size);
    if (i > 0) assertBuildable('a dense kernel', [...sizes[i - 1]!, ...size]);
  });
}

/**
 * Frees the weights of the layers a failed build made, so a factory that throws part-way (a weight the device cannot
 * allocate) leaves nothing behind. The layers are unusable afterwards; nothing else holds them.
 */
export function disposeLayers(layers: readonly tfl.layers.Layer[]): void {
  for (const layer of layers) {
    for (const weight of layer.weights) {
      try {
        weight.dispose();
      } catch {
        // Already freed: a layer may be listed twice.
      }
    }
  }
}

/**
 * Builds a sequential network, freeing the weights of the layers added so far if a later one fails (tfjs-layers
 * builds each layer's weights as it is added).
 */
export function buildSequential(name: string, build: (model: tfl.Sequential) => void): tfl.LayersModel {
  const model = tfl.sequential({ name });
  try {
    build(model);
  } catch (e) {
    disposeLayers(model.layers);
    throw e;
  }
  return model;
}

/** Checks an optional boolean option. */
export function checkBoolean(value: unknown, argument: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw new ConfigError(argument, 'a boolean', describe(value));
}

/** Checks a list of positive layer sizes (units or filters), naming the offending entry. */
export function checkSizes(sizes: readonly number[], argument: string): readonly number[] {
  if (!Array.isArray(sizes)) throw new ConfigError(argument, 'an array of integers >= 1', describe(sizes));
  sizes.forEach((u, i) => assertCount(u, `${argument}[${i}]`, 1));
  return sizes;
}

/** Checks an activation option. */
export function checkActivation(activation: unknown, argument: string): HiddenActivation {
  if (activation !== 'relu' && activation !== 'leakyRelu' && activation !== 'safeLeakyRelu' && activation !== 'tanh') {
    throw new ConfigError(argument, "'relu', 'leakyRelu', 'safeLeakyRelu' or 'tanh'", describe(activation));
  }
  return activation;
}

/** Checks a shape option: non-empty, every size a positive integer. */
export function checkShape(shape: readonly number[], argument: string): void {
  if (!Array.isArray(shape) || shape.length < 1) throw new ConfigError(argument, 'a non-empty shape', describe(shape));
  shape.forEach((d, i) => assertCount(d, `${argument}[${i}]`, 1));
}

/** Number of elements of one example of `shape`. */
export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A dense layer with a seeded Glorot-uniform kernel and a zero bias. `useBias: false` before batch norm, whose own
 * offset makes a bias redundant: it would get no useful gradient, only rounding noise for Adam to amplify.
 */
export function seededDense(
  units: number,
  seeds: SeedStream,
  name: string,
  activation?: 'relu' | 'tanh' | 'sigmoid' | 'linear',
  useBias = true,
): tfl.layers.Layer {
  return tfl.layers.dense({
    units,
    name,
    useBias,
    ...(activation === undefined ? {} : { activation }),
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
    ...(useBias ? { biasInitializer: 'zeros' as const } : {}),
  });
}

/** A 3×3 'same'-padded convolution (or transposed convolution) with a seeded Glorot-uniform kernel. */
export function seededConv(
  kind: 'conv2d' | 'conv2dTranspose',
  filters: number,
  strides: number,
  seeds: SeedStream,
  name: string,
): tfl.layers.Layer {
  const args = {
    filters,
    kernelSize: 3,
    strides,
    padding: 'same' as const,
    name,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
    biasInitializer: 'zeros' as const,
  };
  return kind === 'conv2d' ? tfl.layers.conv2d(args) : tfl.layers.conv2dTranspose(args);
}

/** The activation layer for `kind`. */
export function activationLayer(kind: HiddenActivation, name: string): tfl.layers.Layer {
  if (kind === 'leakyRelu') return tfl.layers.leakyReLU({ alpha: 0.2, name });
  if (kind === 'safeLeakyRelu') return new SafeLeakyReLU({ alpha: 0.2, name });
  return tfl.layers.activation({ activation: kind, name });
}
