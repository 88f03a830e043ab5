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

/** Hidden-layer activations the factories accept; `'leakyRelu'` uses slope 0.2. */
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
