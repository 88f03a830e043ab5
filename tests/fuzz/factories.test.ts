/**
 * Fuzz: the architecture factories (src/architectures) and the SeededDropout layer.
 *
 * Cases per CI run (FC_RUNS=1): any options to the eight factories 240; SeededDropout's arguments 60. 300 in all.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import {
  SeededDropout,
  convDecoder,
  convEncoder,
  dcganDiscriminator,
  dcganGenerator,
  mlpDecoder,
  mlpDiscriminator,
  mlpEncoder,
  mlpGenerator,
  registerGenerativeLayers,
} from '../../src';
import { HUGE_SIZES, fuzz, junk, options, probe } from './arbitraries';

type Factory = (options?: unknown) => tfl.LayersModel;

/** A size: small and valid, junk, or too large to allocate. */
const size = (max: number) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 1, max }) },
    { weight: 2, arbitrary: junk },
    { weight: 1, arbitrary: fc.constantFrom(...HUGE_SIZES) },
  );
const sizes = (max: number, maxLength: number) =>
  fc.oneof({ weight: 8, arbitrary: fc.array(size(max), { maxLength }) }, { weight: 1, arbitrary: junk });
const shape = (max: number) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.array(size(max), { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: junk },
  );
const image = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom([4, 4, 1], [8, 8, 1], [8, 4, 3], [4, 8, 2], [6, 6, 1], [4, 4]) },
  { weight: 1, arbitrary: fc.tuple(size(8), size(8), size(3)) },
  { weight: 1, arbitrary: junk },
);
const common = {
  seed: fc.oneof(fc.integer(), fc.constantFrom(2 ** 53 - 1, -(2 ** 53) + 1)),
  name: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('net', 'a_b', 'a/b', 'N2', 'x.y-z') },
    { weight: 1, arbitrary: fc.constantFrom('with space', '', '-x', '_x') },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  ),
  activation: fc.constantFrom('relu', 'leakyRelu', 'tanh'),
  latentDim: size(5),
};

const FACTORIES: Record<string, { make: Factory; options: fc.Arbitrary<unknown> }> = {
  mlpGenerator: {
    make: mlpGenerator as Factory,
    options: options(
      {
        ...common,
        hiddenUnits: sizes(8, 2),
        outputShape: shape(4),
        batchNorm: fc.boolean(),
        outputActivation: fc.constantFrom('tanh', 'sigmoid', 'linear'),
      },
      { junkRate: 0.05 },
    ),
  },
  mlpDiscriminator: {
    make: mlpDiscriminator as Factory,
    options: options(
      {
        ...common,
        hiddenUnits: sizes(8, 2),
        inputShape: shape(4),
        dropout: fc.double({ min: 0, max: 0.99, noNaN: true }),
      },
      { junkRate: 0.05 },
    ),
  },
  mlpEncoder: {
    make: mlpEncoder as Factory,
    options: options({ ...common, hiddenUnits: sizes(8, 2), inputShape: shape(4) }, { junkRate: 0.05 }),
  },
  mlpDecoder: {
    make: mlpDecoder as Factory,
    options: options({ ...common, hiddenUnits: sizes(8, 2), outputShape: shape(4) }, { junkRate: 0.05 }),
  },
  convEncoder: {
    make: convEncoder as Factory,
    options: options({ ...common, imageShape: image, filters: sizes(3, 2), denseUnits: size(8) }, { junkRate: 0.05 }),
  },
  convDecoder: {
    make: convDecoder as Factory,
    options: options({ ...common, imageShape: image, filters: sizes(3, 2), denseUnits: size(8) }, { junkRate: 0.05 }),
  },
  dcganGenerator: {
    make: dcganGenerator as Factory,
    options: options(
      {
        seed: common.seed,
        name: common.name,
        latentDim: size(5),
        imageShape: image,
        kernelSize: size(5),
        filters: sizes(3, 2),
      },
      { junkRate: 0.05 },
    ),
  },
  dcganDiscriminator: {
    make: dcganDiscriminator as Factory,
    options: options(
      {
        seed: common.seed,
        name: common.name,
        imageShape: image,
        kernelSize: size(5),
        filters: sizes(3, 2),
        dropout: fc.double({ min: 0, max: 0.99, noNaN: true }),
      },
      { junkRate: 0.05 },
    ),
  },
};

describe('architecture factories', () => {
  it('build a network or throw a typed error naming the option, with nothing left allocated either way', async () => {
    const call = fc.oneof(
      ...Object.entries(FACTORIES).map(([name, f]) => fc.record({ name: fc.constant(name), options: f.options })),
    );
    await fuzz(
      301,
      240,
      fc.asyncProperty(call, async ({ name, options: o }) => {
        const baseline = tf.memory().numTensors;
        let model: tfl.LayersModel | undefined;
        try {
          const { error } = await probe(
            () => {
              model = FACTORIES[name]!.make(o);
            },
            { label: name, arguments: ['options'], retained: 'any' },
          );
          if (error !== undefined) {
            expect(tf.memory().numTensors, `${name} left tensors behind after throwing`).toBe(baseline);
            return;
          }
          // What was asked for is what was built.
          const given = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
          if (given['latentDim'] !== undefined && /Generator|Decoder/.test(name)) {
            expect(model!.inputs[0]!.shape[1]).toBe(given['latentDim']);
          }
          if (name === 'mlpGenerator' && given['outputShape'] !== undefined) {
            expect(model!.outputs[0]!.shape.slice(1)).toEqual(given['outputShape']);
          }
          if (/Discriminator/.test(name)) expect(model!.outputs[0]!.shape).toEqual([null, 1]);
        } finally {
          model?.dispose();
        }
        expect(tf.memory().numTensors, `${name}: tensors left after dispose`).toBe(baseline);
      }),
    );
  });
});

describe('SeededDropout', () => {
  it('is built or refused with a typed error naming args', async () => {
    registerGenerativeLayers();
    registerGenerativeLayers(); // idempotent
    const args = options(
      {
        rate: fc.oneof(
          { weight: 4, arbitrary: fc.double({ min: 0, max: 0.99, noNaN: true }) },
          { weight: 1, arbitrary: fc.constantFrom(1, -0.1) },
        ),
        seed: fc.oneof({ weight: 4, arbitrary: fc.integer() }, { weight: 1, arbitrary: fc.constantFrom(1.5, 2 ** 53) }),
        name: fc.constantFrom('drop', 'd1'),
      },
      { junkRate: 0.1, allowUnknown: false },
    );
    await fuzz(
      302,
      60,
      fc.asyncProperty(args, async (a) => {
        const out = await probe(() => new SeededDropout(a as never), {
          label: 'new SeededDropout',
          arguments: ['args'],
        });
        if (out.error === undefined) {
          const layer = out.result as SeededDropout;
          const x = tf.ones([2, 3]);
          const y = layer.apply(x, { training: true }) as tf.Tensor;
          const values = await y.data();
          // Kept units are scaled by 1 / (1 − rate); dropped ones are 0.
          const kept = 1 / (1 - layer.rate);
          expect(Array.from(values).every((v) => v === 0 || Math.abs(v - kept) < 1e-5)).toBe(true);
          tf.dispose([x, y]);
        }
      }),
    );
  });
});
