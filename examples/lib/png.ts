/**
 * Writing a `[H, W, C]` image tensor with values in [0, 1] (what `imageGrid` returns) to a PNG file.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';

/** Options of {@link writePng}. */
export interface WritePngOptions {
  /** Integer upscaling factor, nearest-neighbour (each pixel becomes a `scale × scale` block). Default `1`. */
  readonly scale?: number;
}

/**
 * Encodes `image` as an 8-bit RGBA PNG and writes it to `path`, creating missing parent folders. Grey images
 * (`C = 1`) are written as R = G = B; values are clipped to [0, 1] and rounded to 0–255; alpha is opaque. The tensor
 * is not disposed.
 *
 * @param path - the file to write, e.g. `out/gan-mnist.png`
 * @param image - `[H, W, C]` with C = 1, 3 or 4 (4: the last channel is alpha), values in [0, 1]
 * @returns the width and height written, after scaling
 *
 * @example
 * ```ts
 * const grid = imageGrid(samples, { imageShape: [28, 28] });
 * await writePng('out/samples.png', grid, { scale: 2 });
 * grid.dispose();
 * ```
 */
export async function writePng(
  path: string,
  image: tf.Tensor3D,
  options: WritePngOptions = {},
): Promise<{ width: number; height: number }> {
  const scale = options.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1) {
    throw new RangeError(`writePng: scale must be an integer >= 1, received ${scale}.`);
  }
  if (image.rank !== 3) throw new RangeError(`writePng: image must be [H, W, C], received shape [${image.shape}].`);
  const [h, w, c] = image.shape;
  if (c !== 1 && c !== 3 && c !== 4) {
    throw new RangeError(`writePng: image must have 1, 3 or 4 channels, received shape [${image.shape}].`);
  }
  const values = await image.data();

  const width = w * scale;
  const height = h * scale;
  const png = new PNG({ width, height, colorType: 6, inputColorType: 6, bitDepth: 8 });
  const toByte = (v: number): number => (v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0); // NaN → 0
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / scale) * w;
    for (let x = 0; x < width; x++) {
      const src = (row + Math.floor(x / scale)) * c;
      const dst = (y * width + x) * 4;
      const r = toByte(values[src]!);
      png.data[dst] = r;
      png.data[dst + 1] = c === 1 ? r : toByte(values[src + 1]!);
      png.data[dst + 2] = c === 1 ? r : toByte(values[src + 2]!);
      png.data[dst + 3] = c === 4 ? toByte(values[src + 3]!) : 255;
    }
  }

  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, PNG.sync.write(png, { colorType: 6 }));
  return { width, height };
}
