import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  MLP_GAN_RECIPES,
  SeededDropout,
  convDecoder,
  convEncoder,
  dcganDiscriminator,
  dcganGenerator,
  isConfigError,
  mlpDecoder,
  mlpDiscriminator,
  mlpEncoder,
  mlpGenerator,
} from '../../src';
import { caught } from '../helpers/errors';
import { trainableValues } from '../helpers/gan';

type Factory = (options?: never) => { dispose(): void };
const factories: [string, Factory][] = [
  ['mlpGenerator', mlpGenerator as Factory],
  ['mlpDiscriminator', mlpDiscriminator as Factory],
  ['dcganGenerator', dcganGenerator as Factory],
  ['dcganDiscriminator', dcganDiscriminator as Factory],
  ['mlpEncoder', mlpEncoder as Factory],
  ['mlpDecoder', mlpDecoder as Factory],
  ['convEncoder', convEncoder as Factory],
  ['convDecoder', convDecoder as Factory],
];

function expectConfigError(fn: () => unknown, argument: string): void {
  const before = tf.memory().numTensors;
  const e = caught(fn);
  expect(isConfigError(e), String(e)).toBe(true);
  expect(e.argument).toBe(argument);
  expect(tf.memory().numTensors).toBe(before); // rejected before any weight was made
}

describe.each(factories)('%s options', (_, factory) => {
  it('rejects unknown keys, naming them', () => {
    expectConfigError(() => factory({ latentdim: 8 } as never), 'options.latentdim');
    expectConfigError(() => factory({ seed: 1, sed: 2 } as never), 'options.sed');
  });

  it('rejects a seed that is not a safe integer, a non-string name and a non-object', () => {
    for (const seed of [1.5, NaN, Infinity, 2 ** 53, '1']) expectConfigError(() => factory({ seed } as never), 'options.seed');
    expectConfigError(() => factory({ name: 3 } as never), 'options.name');
    expectConfigError(() => factory(null as never), 'options');
    expectConfigError(() => factory([] as never), 'options');
  });
});

describe('factory seeds', () => {
  const tiny = (seed: number) => mlpGenerator({ latentDim: 2, hiddenUnits: [3], outputShape: [2], seed });

  it('use all 53 bits: seeds 1 and 2^32 + 1 build different weights', async () => {
    const [a, b, c] = [tiny(1), tiny(2 ** 32 + 1), tiny(1)];
    expect(await trainableValues(a)).not.toEqual(await trainableValues(b));
    expect(await trainableValues(a)).toEqual(await trainableValues(c));
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('other factory options', () => {
  it('checks mlpGenerator’s batchNorm and outputActivation', () => {
    expectConfigError(() => mlpGenerator({ batchNorm: 'yes' } as never), 'options.batchNorm');
    expectConfigError(() => mlpGenerator({ outputActivation: 'softmax' } as never), 'options.outputActivation');
  });

  it('accepts the recipes spread into a call', () => {
    const g = mlpGenerator({ ...MLP_GAN_RECIPES.recommended.generator, latentDim: 4, seed: 1 });
    const d = mlpDiscriminator({ ...MLP_GAN_RECIPES.recommended.discriminator, seed: 2 });
    [g, d].forEach((m) => m.dispose());
  });

  it('SeededDropout checks its rate and seed', () => {
    expectConfigError(() => new SeededDropout({ rate: 1, seed: 1 }), 'args.rate');
    expectConfigError(() => new SeededDropout({ rate: NaN, seed: 1 }), 'args.rate');
    expectConfigError(() => new SeededDropout({ rate: 0.5, seed: 0.5 }), 'args.seed');
    expect(new SeededDropout({ rate: 0.5, seed: 2 ** 40 }).seed).toBe(2 ** 40);
  });
});
