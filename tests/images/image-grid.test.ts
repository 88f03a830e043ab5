import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { isConfigError, isShapeError, type GenerativeError } from '../../src/errors';
import { imageGrid, type ImageGridOptions } from '../../src/images';
import { describeEachBackend } from '../helpers/backends';
import { expectNoLeak } from '../helpers/memory';
import { expectTensorClose } from '../helpers/tensors';

// Three 2×2 grey images with distinct values in [0, 1].
const IMAGES = [
  [[0.1, 0.2], [0.3, 0.4]],
  [[0.5, 0.6], [0.7, 0.8]],
  [[0.9, 1.0], [0.05, 0.15]],
];

function tinyBatch(): tf.Tensor4D {
  return tf.tensor4d(IMAGES.flat(2), [3, 2, 2, 1]);
}

/** Runs `fn` and returns the GenerativeError it throws (failing the test if it throws anything else or nothing). */
function thrown(fn: () => unknown): GenerativeError {
  try {
    fn();
  } catch (e) {
    if (isShapeError(e) || isConfigError(e)) return e;
    throw e;
  }
  throw new Error('expected a GenerativeError, nothing was thrown');
}

describeEachBackend('imageGrid', () => {
  it('places each image at its row-major cell, with padding between and around', async () => {
    const x = tinyBatch();
    // 3 images → cols = ceil(sqrt(3)) = 2, rows = 2; output [2·2 + 3·1, 2·2 + 3·1, 1] = [7, 7, 1].
    const grid = imageGrid(x, { padding: 1, padValue: 0, range: [0, 1] });
    const P = 0; // padding; the empty 4th cell also takes the pad value
    const expected = [
      [P, P, P, P, P, P, P],
      [P, 0.1, 0.2, P, 0.5, 0.6, P],
      [P, 0.3, 0.4, P, 0.7, 0.8, P],
      [P, P, P, P, P, P, P],
      [P, 0.9, 1.0, P, P, P, P],
      [P, 0.05, 0.15, P, P, P, P],
      [P, P, P, P, P, P, P],
    ];
    await expectTensorClose(grid, tf.tensor3d(expected.flat(), [7, 7, 1]));
    grid.dispose();
    x.dispose();
  });

  it('fills padding and empty cells with padValue, 0.5 by default', async () => {
    const x = tf.ones([3, 2, 2, 1]);
    const grid = imageGrid(x, { padding: 1 });
    const g = 0.5;
    const expected = [
      [g, g, g, g, g, g, g],
      [g, 1, 1, g, 1, 1, g],
      [g, 1, 1, g, 1, 1, g],
      [g, g, g, g, g, g, g],
      [g, 1, 1, g, g, g, g],
      [g, 1, 1, g, g, g, g],
      [g, g, g, g, g, g, g],
    ];
    await expectTensorClose(grid, tf.tensor3d(expected.flat(), [7, 7, 1]));
    const custom = imageGrid(x, { padding: 1, padValue: 0.25 });
    await expectTensorClose(custom, tf.tensor3d(expected.flat().map((v) => (v === g ? 0.25 : v)), [7, 7, 1]));
    [x, grid, custom].forEach((t) => t.dispose());
  });

  it('keeps RGB channels in order and stacks by rows when asked', async () => {
    const x = tf.tensor4d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 1, 1, 3]);
    const wide = imageGrid(x, { padding: 0, range: [0, 1] });
    await expectTensorClose(wide, tf.tensor3d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [1, 2, 3]));
    const tall = imageGrid(x, { padding: 0, range: [0, 1], cols: 1 });
    await expectTensorClose(tall, tf.tensor3d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 1, 3]));
    [x, wide, tall].forEach((t) => t.dispose());
  });

  it('reads flat [n, h·w·c] input with imageShape like the [n, h, w, c] batch', async () => {
    const x = tinyBatch();
    const flat = tf.reshape(x, [3, 4]);
    const options: ImageGridOptions = { padding: 1, padValue: 0, range: [0, 1] };
    const fromBatch = imageGrid(x, options);
    const fromFlat = imageGrid(flat, { ...options, imageShape: [2, 2] });
    const fromFlat3 = imageGrid(flat, { ...options, imageShape: [2, 2, 1] });
    await expectTensorClose(fromFlat, fromBatch);
    await expectTensorClose(fromFlat3, fromBatch);

    const rgb = tf.tensor4d(
      Array.from({ length: 24 }, (_, i) => i / 23),
      [2, 2, 2, 3],
    );
    const rgbFlat = tf.reshape(rgb, [2, 12]);
    const a = imageGrid(rgb, options);
    const b = imageGrid(rgbFlat, { ...options, imageShape: [2, 2, 3] });
    await expectTensorClose(b, a);
    expect(b.shape).toEqual([1 * 2 + 2 * 1, 2 * 2 + 3 * 1, 3]); // 1 row × 2 cols of 2×2, padding 1
    [x, flat, fromBatch, fromFlat, fromFlat3, rgb, rgbFlat, a, b].forEach((t) => t.dispose());
  });

  it('maps the default range [-1, 1] linearly onto [0, 1] and clips outside values', async () => {
    const x = tf.tensor4d([-3, -1, -0.5, 0, 0.5, 1, 2, 0.8], [8, 1, 1, 1]);
    const grid = imageGrid(x, { padding: 0, cols: 8 });
    await expectTensorClose(grid, tf.tensor3d([0, 0, 0.25, 0.5, 0.75, 1, 1, 0.9], [1, 8, 1]));
    [x, grid].forEach((t) => t.dispose());
  });

  it('honours a custom range and accepts int32 input', async () => {
    const x = tf.tensor4d([0, 51, 255, 300], [4, 1, 1, 1], 'int32');
    const grid = imageGrid(x, { padding: 0, cols: 4, range: [0, 255] });
    expect(grid.dtype).toBe('float32');
    await expectTensorClose(grid, tf.tensor3d([0, 0.2, 1, 1], [1, 4, 1]));
    const shifted = tf.tensor4d([10, 15, 20, 5], [4, 1, 1, 1]);
    const grid2 = imageGrid(shifted, { padding: 0, cols: 4, range: [10, 20] });
    await expectTensorClose(grid2, tf.tensor3d([0, 0.5, 1, 0], [1, 4, 1]));
    [x, grid, shifted, grid2].forEach((t) => t.dispose());
  });
});

describe('imageGrid grid sizes', () => {
  function shapeOf(n: number, options: ImageGridOptions = {}, image: [number, number, number] = [28, 28, 1]): number[] {
    const x = tf.zeros([n, ...image]);
    const grid = imageGrid(x, options);
    const shape = grid.shape;
    x.dispose();
    grid.dispose();
    return shape;
  }
  const side = (cells: number, size = 28, pad = 2) => cells * size + (cells + 1) * pad;

  it.each([
    // n, rows, cols of the default near-square grid
    [1, 1, 1],
    [2, 1, 2],
    [3, 2, 2],
    [4, 2, 2],
    [5, 2, 3],
    [10, 3, 4],
    [64, 8, 8],
    [100, 10, 10],
  ])('%i images → %i × %i cells by default', (n, rows, cols) => {
    expect(shapeOf(n)).toEqual([side(rows), side(cols), 1]);
  });

  it('derives the missing side from rows or cols, and takes both as given', () => {
    expect(shapeOf(10, { cols: 5 })).toEqual([side(2), side(5), 1]);
    expect(shapeOf(10, { rows: 5 })).toEqual([side(5), side(2), 1]);
    expect(shapeOf(10, { rows: 1 })).toEqual([side(1), side(10), 1]);
    expect(shapeOf(10, { rows: 4, cols: 4 })).toEqual([side(4), side(4), 1]);
    expect(shapeOf(6, { cols: 3, padding: 0 }, [5, 7, 3])).toEqual([10, 21, 3]);
  });

  it('sizes a flat 784-feature batch of 100 as a 10 × 10 grid of 28 × 28 digits', () => {
    const x = tf.zeros([100, 784]);
    const grid = imageGrid(x, { imageShape: [28, 28] });
    expect(grid.shape).toEqual([302, 302, 1]);
    [x, grid].forEach((t) => t.dispose());
  });
});

describe('imageGrid validation', () => {
  const x = () => tf.zeros([4, 2, 2, 1]);

  it('rejects images that are not a tensor of a supported shape or dtype, naming `images`', () => {
    const cases: [unknown, string][] = [
      [[[0, 1]], 'a tf.Tensor'],
      [tf.zeros([4, 2, 2]), 'shape [n, height, width, channels] or [n, features]'],
      [tf.zeros([4]), 'shape [n, height, width, channels] or [n, features]'],
      [tf.zeros([4, 2, 2, 2]), 'shape [n>=1, height, width, 1 or 3]'],
      [tf.zeros([4, 2, 2, 4]), 'shape [n>=1, height, width, 1 or 3]'],
      [tf.zeros([0, 2, 2, 1]), 'shape [n>=1, height, width, 1 or 3]'],
      [tf.zeros([0, 4]), 'shape [n>=1, features]'],
      [tf.zeros([4, 2, 2, 1], 'bool'), "dtype 'float32' or 'int32'"],
    ];
    for (const [images, expected] of cases) {
      const e = thrown(() => imageGrid(images as tf.Tensor, { imageShape: [2, 2] }));
      expect(e.kind).toBe('shape');
      expect(e.argument).toBe('images');
      expect(e.expected).toBe(expected);
      if (images instanceof tf.Tensor) images.dispose();
    }
  });

  it('suggests adding a channel axis to [n, h, w] input', () => {
    const images = tf.zeros([4, 2, 2]);
    const e = thrown(() => imageGrid(images));
    expect(e.received).toBe('[4, 2, 2]');
    expect(e.message).toContain('tf.expandDims(images, -1)');
    images.dispose();
  });

  it('requires options.imageShape for flat input, with the right element count', () => {
    const flat = tf.zeros([4, 784]);
    const missing = thrown(() => imageGrid(flat));
    expect(isConfigError(missing)).toBe(true);
    expect(missing.argument).toBe('options.imageShape');
    expect(missing.message).toContain('[28, 28]');

    const wrong = thrown(() => imageGrid(flat, { imageShape: [28, 27] }));
    expect(isShapeError(wrong)).toBe(true);
    expect(wrong.argument).toBe('options.imageShape');
    expect(wrong.expected).toContain('784 elements');
    expect(wrong.received).toBe('[28, 27], 756 elements');
    flat.dispose();
  });

  it('rejects malformed imageShape values, and one that disagrees with [n, h, w, c] images', () => {
    const flat = tf.zeros([4, 12]);
    for (const imageShape of [[2], [2, 2, 3, 1], [2, 0], [2, 1.5], [2, 2, 2], [2, 'x']]) {
      const e = thrown(() => imageGrid(flat, { imageShape: imageShape as unknown as [number, number] }));
      expect(isConfigError(e)).toBe(true);
      expect(e.argument).toBe('options.imageShape');
    }
    const images = x();
    const e = thrown(() => imageGrid(images, { imageShape: [2, 3] }));
    expect(isShapeError(e)).toBe(true);
    expect(e.argument).toBe('options.imageShape');
    expect(e.expected).toContain('[2, 2, 1]');
    expect(e.received).toBe('[2, 3]');
    const agreeing = imageGrid(images, { imageShape: [2, 2, 1] });
    [flat, images, agreeing].forEach((t) => t.dispose());
  });

  it.each<[ImageGridOptions, string, string]>([
    [{ rows: 0 }, 'options.rows', '0'],
    [{ cols: 1.5 }, 'options.cols', '1.5'],
    [{ rows: 1, cols: 3 }, 'options.rows', '1 × 3 = 3'],
    [{ padding: -1 }, 'options.padding', '-1'],
    [{ padding: 0.5 }, 'options.padding', '0.5'],
    [{ padValue: 2 }, 'options.padValue', '2'],
    [{ padValue: NaN }, 'options.padValue', 'NaN'],
    [{ range: [1, 1] }, 'options.range', '[1, 1]'],
    [{ range: [1, -1] }, 'options.range', '[1, -1]'],
    [{ range: [0, Infinity] }, 'options.range', '[0, Infinity]'],
  ])('rejects %o with a ConfigError on %s', (options, argument, received) => {
    const images = x();
    const e = thrown(() => imageGrid(images, options));
    expect(isConfigError(e)).toBe(true);
    expect(e.argument).toBe(argument);
    expect(e.received).toBe(received);
    images.dispose();
  });
});

describe('imageGrid memory', () => {
  it('returns exactly one new tensor and never disposes its input', async () => {
    const batch = tf.randomUniform([5, 3, 3, 3], -1, 1);
    const flat = tf.randomUniform([5, 9], -1, 1);
    await expectNoLeak(() => imageGrid(batch), 1);
    await expectNoLeak(() => imageGrid(flat, { imageShape: [3, 3], rows: 3, cols: 3, padding: 0 }), 1);
    expect(batch.isDisposed).toBe(false);
    expect(flat.isDisposed).toBe(false);
    const before = tf.memory().numTensors;
    expect(() => imageGrid(batch, { range: [1, 0] })).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    batch.dispose();
    flat.dispose();
  });
});
