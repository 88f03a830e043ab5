/**
 * Tiling a batch of images into one picture, for looking at samples: the grid `imageGrid` returns is a `[H, W, C]`
 * float tensor in [0, 1], the input `tf.browser.toPixels` and PNG encoders expect.
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../errors';
import { assertOptions } from '../internal/options';
import { assertTensor, describe, formatShape } from '../internal/shapes';

/**
 * Options of {@link imageGrid}.
 *
 * @example
 * ```ts
 * const options: ImageGridOptions = { imageShape: [28, 28], cols: 8, padding: 1, range: [0, 1] };
 * const grid = imageGrid(vae.sample(64), options); // 8 × 8 cells: [233, 233, 1]
 * ```
 * @group Utilities
 */
export interface ImageGridOptions {
  /**
   * The shape of one image, `[height, width]` (one channel) or `[height, width, channels]`. Required when `images`
   * is flat, `[n, height * width * channels]`, as an MLP generator outputs (784 → `[28, 28]`); with `[n, h, w, c]`
   * images it is optional and, when given, must agree with them.
   */
  readonly imageShape?: readonly [number, number] | readonly [number, number, number];
  /**
   * Number of grid rows. When only `cols` is given, `ceil(n / cols)`.
   * @defaultValue `ceil(n / cols)`, with `cols = ceil(sqrt(n))`: a near-square grid
   */
  readonly rows?: number;
  /**
   * Number of grid columns. When only `rows` is given, `ceil(n / rows)`.
   * @defaultValue `ceil(sqrt(n))`
   */
  readonly cols?: number;
  /**
   * Pixels between images and around the border of the grid.
   * @defaultValue `2`
   */
  readonly padding?: number;
  /**
   * The value, in the output's [0, 1] scale, of the padding and of cells left empty when `rows × cols > n`. Mid-grey
   * stands out against both black backgrounds (MNIST) and white ones.
   * @defaultValue `0.5`
   */
  readonly padValue?: number;
  /**
   * The range `[min, max]` of the input values, mapped linearly onto [0, 1]; values outside it are clipped. Use
   * `[0, 1]` for sigmoid outputs and `[0, 255]` for raw bytes.
   * @defaultValue `[-1, 1]`, the range of a tanh generator
   */
  readonly range?: readonly [number, number];
}

/**
 * Tiles a batch of images into one image, row by row, with padding between and around them, and maps the values
 * from `options.range` to [0, 1].
 *
 * The output has shape `[rows·h + (rows + 1)·padding, cols·w + (cols + 1)·padding, c]` and dtype float32; image `i`
 * sits in row `floor(i / cols)`, column `i % cols`. Pass it to `tf.browser.toPixels` or a PNG encoder. The caller
 * owns the result and disposes it; `images` is left untouched.
 *
 * @param images - a batch `[n, h, w, c]` with `c` = 1 or 3, or flat `[n, h·w·c]` together with `options.imageShape`;
 *   float32 or int32
 * @param options - image shape, grid size, padding and input range
 * @returns the grid, `[rows·h + (rows + 1)·padding, cols·w + (cols + 1)·padding, c]`, values in [0, 1]
 * @throws {@link ShapeError} when `images` is not a non-empty batch of the shapes above
 * @throws {@link ConfigError} when an option is out of its domain
 *
 * @example
 * ```ts
 * const samples = tf.randomUniform([100, 784], -1, 1); // e.g. a tanh MLP generator's output
 * const grid = imageGrid(samples, { imageShape: [28, 28] }); // 10 × 10 cells: [302, 302, 1]
 * const rgba = await tf.browser.toPixels(grid); // Uint8ClampedArray of 302 · 302 · 4 bytes; pass a canvas to draw
 * grid.dispose();
 * samples.dispose();
 * ```
 * @group Utilities
 */
export function imageGrid(images: tf.Tensor, options: ImageGridOptions = {}): tf.Tensor3D {
  assertTensor(images, 'images');
  assertOptions(options, ['imageShape', 'rows', 'cols', 'padding', 'padValue', 'range'], 'options', 'ImageGridOptions');
  if (images.dtype !== 'float32' && images.dtype !== 'int32') {
    throw new ShapeError('images', "dtype 'float32' or 'int32'", `dtype '${images.dtype}'`);
  }
  const [h, w, c] = resolveImageShape(images, options.imageShape);
  const n = images.shape[0]!;
  const { rows, cols } = resolveGrid(n, options.rows, options.cols);
  const padding = options.padding ?? 2;
  if (typeof padding !== 'number' || !Number.isInteger(padding) || padding < 0) {
    throw new ConfigError('options.padding', 'an integer >= 0', describe(padding));
  }
  const padValue = options.padValue ?? 0.5;
  if (typeof padValue !== 'number' || !Number.isFinite(padValue) || padValue < 0 || padValue > 1) {
    throw new ConfigError('options.padValue', 'a number in [0, 1]', describe(padValue));
  }
  const [min, max] = resolveRange(options.range);
  // The grid is one tensor: a padding that makes it too big to allocate is refused here, not as a RangeError in tfjs.
  if (rows * (h + padding) * cols * (w + padding) * c > 2 ** 31 - 1) {
    throw new ConfigError('options.padding', 'a padding that keeps the grid under 2^31 − 1 values', describe(padding));
  }

  return tf.tidy(() => {
    const batch = tf.reshape(tf.cast(images, 'float32'), [n, h, w, c]); // [n, h, w, c]
    // Linear map [min, max] → [0, 1], then clip what lies outside.
    const unit = tf.clipByValue(tf.div(tf.sub(batch, min), max - min), 0, 1);
    const empty = rows * cols - n;
    const filler = empty === 0 ? [] : [tf.fill([empty, h, w, c], padValue)]; // empty cells take the pad value
    const cells = tf.concat([unit, ...filler], 0); // [rows·cols, h, w, c]
    // Padding above and to the left of every cell; the last row and column get theirs below and to the right.
    const padded = tf.pad(cells, [[0, 0], [padding, 0], [padding, 0], [0, 0]], padValue); // [rows·cols, h+p, w+p, c]
    const [ph, pw] = [h + padding, w + padding];
    const grid = tf.reshape(padded, [rows, cols, ph, pw, c]); // [rows, cols, h+p, w+p, c]
    const rowMajor = tf.transpose(grid, [0, 2, 1, 3, 4]); // [rows, h+p, cols, w+p, c]
    const tiled = tf.reshape(rowMajor, [rows * ph, cols * pw, c]); // [rows·(h+p), cols·(w+p), c]
    return tf.pad(tiled, [[0, padding], [0, padding], [0, 0]], padValue) as tf.Tensor3D; // [rows·(h+p)+p, …, c]
  });
}

function resolveImageShape(images: tf.Tensor, imageShape: ImageGridOptions['imageShape']): [number, number, number] {
  const shape = images.shape;
  const given = imageShape === undefined ? undefined : checkImageShape(imageShape);
  if (shape.length === 4) {
    const [n, h, w, c] = shape as [number, number, number, number];
    if (n < 1 || h < 1 || w < 1 || (c !== 1 && c !== 3)) {
      throw new ShapeError('images', 'shape [n>=1, height, width, 1 or 3]', formatShape(shape));
    }
    if (given !== undefined && (given[0] !== h || given[1] !== w || given[2] !== c)) {
      throw new ShapeError(
        'options.imageShape',
        `${formatShape([h, w, c])} or undefined, the shape of each image in images ${formatShape(shape)}`,
        formatShape(imageShape!),
      );
    }
    return [h, w, c];
  }
  if (shape.length === 2) {
    const [n, features] = shape as [number, number];
    if (n < 1) throw new ShapeError('images', 'shape [n>=1, features]', formatShape(shape));
    if (given === undefined) {
      throw new ConfigError(
        'options.imageShape',
        `[height, width] or [height, width, channels] for flat images`,
        'undefined',
        `images is ${formatShape(shape)}; e.g. 784 features are imageShape [28, 28].`,
      );
    }
    const [h, w, c] = given;
    if (h * w * c !== features) {
      throw new ShapeError(
        'options.imageShape',
        `a shape of ${features} elements (images is ${formatShape(shape)})`,
        `${formatShape(imageShape!)}, ${h * w * c} elements`,
      );
    }
    return given;
  }
  const hint = shape.length === 3 ? 'Add a channel axis: tf.expandDims(images, -1).' : undefined;
  throw new ShapeError('images', 'shape [n, height, width, channels] or [n, features]', formatShape(shape), hint);
}

function checkImageShape(imageShape: readonly number[]): [number, number, number] {
  const dims = Array.isArray(imageShape) ? imageShape : [];
  const isSize = (d: unknown): boolean => typeof d === 'number' && Number.isInteger(d) && d >= 1;
  const valid = (dims.length === 2 || dims.length === 3) && dims.every(isSize);
  const c = dims.length === 3 ? dims[2] : 1;
  if (!valid || (c !== 1 && c !== 3)) {
    const received = Array.isArray(imageShape) ? `[${imageShape.join(', ')}]` : describe(imageShape);
    const expected = '[height, width] or [height, width, 1 or 3] of integers >= 1';
    throw new ConfigError('options.imageShape', expected, received);
  }
  return [dims[0]!, dims[1]!, c!];
}

function resolveGrid(n: number, rows: number | undefined, cols: number | undefined): { rows: number; cols: number } {
  for (const [name, value] of [['options.rows', rows], ['options.cols', cols]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
      throw new ConfigError(name, 'an integer >= 1', describe(value));
    }
  }
  if (rows !== undefined && cols !== undefined) {
    if (rows * cols < n) {
      const received = `${rows} × ${cols} = ${rows * cols}`;
      throw new ConfigError('options.rows', `rows × cols >= ${n}, the number of images`, received);
    }
    return { rows, cols };
  }
  if (rows !== undefined) return { rows, cols: Math.ceil(n / rows) };
  const c = cols ?? Math.ceil(Math.sqrt(n));
  return { rows: Math.ceil(n / c), cols: c };
}

function resolveRange(range: ImageGridOptions['range']): [number, number] {
  if (range === undefined) return [-1, 1];
  const ok =
    Array.isArray(range) &&
    range.length === 2 &&
    range.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    // The width is divided by in float32: one that rounds to 0 (or overflows) there would map every pixel to NaN.
    Number.isFinite(Math.fround(Math.fround(range[1]!) - Math.fround(range[0]!))) &&
    Math.fround(Math.fround(range[1]!) - Math.fround(range[0]!)) > 0;
  if (!ok) {
    const received = Array.isArray(range) ? `[${range.join(', ')}]` : describe(range);
    throw new ConfigError('options.range', '[min, max] of finite float32 numbers with min < max', received);
  }
  return [range[0]!, range[1]!];
}
