/** Drawing a model's pictures: sample grids, VAE reconstructions and a latent interpolation, on 2D canvases. */
import * as tf from '@tensorflow/tfjs-core';
import { type GAN, type VAE, imageGrid, type ImageGridOptions } from 'tfjs-generative';

/** Draws a `[H, W, 1]` image in [0, 1] onto a canvas (via bytes: toPixels' own canvas path logs a warning). */
async function paint(image: tf.Tensor3D, canvas: HTMLCanvasElement): Promise<void> {
  const [height, width] = image.shape;
  const rgba = await tf.browser.toPixels(image);
  canvas.width = width;
  canvas.height = height;
  const pixels = rgba as Uint8ClampedArray<ArrayBuffer>; // tfjs allocates it: never a SharedArrayBuffer
  canvas.getContext('2d')?.putImageData(new ImageData(pixels, width, height), 0, 0);
}

async function paintGrid(images: tf.Tensor, canvas: HTMLCanvasElement, options: ImageGridOptions): Promise<void> {
  const grid = imageGrid(images, { imageShape: [28, 28], ...options });
  try {
    await paint(grid, canvas);
  } finally {
    grid.dispose();
    images.dispose();
  }
}

/** 64 samples of a fixed z, so the grid changes only as the generator learns. */
export function drawGanSamples(gan: GAN, canvas: HTMLCanvasElement): Promise<void> {
  return paintGrid(gan.sample(64, { seed: 1 }), canvas, { rows: 8, cols: 8, range: [-1, 1] });
}

export interface VaeCanvases {
  readonly samples: HTMLCanvasElement;
  readonly reconstructions: HTMLCanvasElement;
  readonly interpolation: HTMLCanvasElement;
}

/** Samples, the reconstructions of fixed digits under the originals, and a path between two digits' codes. */
export async function drawVae(vae: VAE, fixed: tf.Tensor2D, canvases: VaeCanvases): Promise<void> {
  await paintGrid(vae.sample(64, { seed: 1 }), canvases.samples, { rows: 8, cols: 8, range: [0, 1] });
  const n = fixed.shape[0];
  const pairs = tf.tidy(() => {
    const { reconstruction, mean, logVar, z } = vae.reconstruct(fixed);
    tf.dispose([mean, logVar, z]);
    return tf.concat([fixed, reconstruction], 0); // originals on top, reconstructions below
  });
  await paintGrid(pairs, canvases.reconstructions, { rows: 2, cols: n, range: [0, 1] });
  const [a, b] = tf.tidy(() => [tf.slice(fixed, [0, 0], [1, 784]), tf.slice(fixed, [1, 0], [1, 784])]);
  const path = vae.interpolate(a!, b!, 10);
  tf.dispose([a!, b!]);
  await paintGrid(path, canvases.interpolation, { rows: 1, cols: 10, range: [0, 1] });
}
