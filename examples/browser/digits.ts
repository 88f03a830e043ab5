/** Loads the page's MNIST digits (see mnist-asset.ts for the format) and turns them into tensors. */
import * as tf from '@tensorflow/tfjs-core';

const PIXELS = 784;

/** The digits as bytes: `count · 784` pixels in 0..255, then `count` labels. */
export interface Digits {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/** Fetches `mnist-digits.bin` from `url` (relative to the page by default). */
export async function fetchDigits(url: string | URL = new URL('mnist-digits.bin', document.baseURI)): Promise<Digits> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load ${String(url)}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const count = bytes.length / (PIXELS + 1);
  if (!Number.isInteger(count)) throw new Error(`${String(url)} has ${bytes.length} bytes, not a multiple of 785`);
  return { pixels: bytes.subarray(0, count * PIXELS), labels: bytes.subarray(count * PIXELS), count };
}

/** Digits `start` to `end` as `[end − start, 784]` float32 on the active backend, 0..255 mapped onto `[min, max]`. */
export function digitTensor(
  digits: Digits,
  [min, max]: readonly [number, number],
  start = 0,
  end = digits.count,
): tf.Tensor2D {
  return tf.tidy(() => {
    const raw = tf.tensor2d(digits.pixels.subarray(start * PIXELS, end * PIXELS), [end - start, PIXELS], 'int32');
    return tf.add(tf.mul(tf.cast(raw, 'float32'), (max - min) / 255), min) as tf.Tensor2D;
  });
}
