import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { installWasmTrainingKernels } from '../../src/wasm';
import { useWasmTrainingKernels } from '../helpers/backends';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface Case {
  readonly x: [number, number, number, number]; // NHWC
  readonly filter: [number, number, number, number];
  readonly strides: number | [number, number];
  readonly pad: Pad;
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function values(shape: readonly number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomUniform([...shape], -1, 1, 'float32', seed).dataSync() as Float32Array);
}

function expectRelClose(actual: Float32Array, expected: Float32Array, rel = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1e-12;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  expect(worst).toBeLessThanOrEqual(rel);
}

/** The conv's output shape for this case, from tfjs's own geometry (NHWC). */
function outShape(c: Case): [number, number, number, number] {
  // Explicit padding is given in the data format's axis order: [[0, 0], [0, 0], [t, b], [l, r]] for NCHW.
  const pad: Pad =
    c.dataFormat === 'NCHW' && typeof c.pad === 'object' ? [c.pad[0]!, c.pad[2]!, c.pad[3]!, c.pad[1]!] : c.pad;
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, pad, c.dimRoundingMode);
  return info.outShape;
}

const nchw = (s: readonly number[]) => [s[0]!, s[3]!, s[1]!, s[2]!];

/** Both backprop kernels, run directly with the case's attributes, as flat arrays. */
function backprops(c: Case): Float32Array[] {
  const format = c.dataFormat ?? 'NHWC';
  const layout = (s: readonly number[]) => (format === 'NCHW' ? nchw(s) : [...s]);
  const xShape = layout(c.x);
  const dyShape = layout(outShape(c));
  return tf.tidy(() => {
    const x = tf.tensor(values(xShape, 1), xShape);
    const dy = tf.tensor(values(dyShape, 2), dyShape);
    const filter = tf.tensor(values(c.filter, 3), c.filter);
    const common = { strides: c.strides, pad: c.pad, dataFormat: format, ...(c.dimRoundingMode ? { dimRoundingMode: c.dimRoundingMode } : {}) };
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: c.filter }) as tf.Tensor;
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...common, inputShape: xShape }) as tf.Tensor;
    expect(dw.shape).toEqual(c.filter);
    expect(dx.shape).toEqual(xShape);
    return [dw.dataSync() as Float32Array, dx.dataSync() as Float32Array];
  });
}

async function onBackend<T>(backend: string, fn: () => T): Promise<T> {
  await tf.setBackend(backend);
  return fn();
}

// Odd sizes, 1×1 and non-square filters, strides 1/2/3 and mixed, every padding mode, batch 1 and > 1, channels
// 1, 3 and odd counts, both data formats.
const CASES: Case[] = [
  { x: [1, 1, 1, 1], filter: [1, 1, 1, 1], strides: 1, pad: 'valid' },
  { x: [1, 5, 5, 1], filter: [3, 3, 1, 1], strides: 1, pad: 'same' },
  { x: [2, 7, 6, 3], filter: [3, 2, 3, 5], strides: 2, pad: 'same' },
  { x: [2, 7, 6, 3], filter: [3, 2, 3, 5], strides: 2, pad: 'valid' },
  { x: [3, 9, 9, 5], filter: [5, 5, 5, 7], strides: 2, pad: 'same' },
  { x: [1, 9, 8, 1], filter: [5, 5, 1, 4], strides: 3, pad: 'valid' },
  { x: [2, 8, 8, 4], filter: [4, 4, 4, 3], strides: [2, 1], pad: 'same' },
  { x: [2, 6, 7, 3], filter: [1, 1, 3, 2], strides: [1, 2], pad: 'valid' },
  { x: [1, 6, 5, 2], filter: [3, 3, 2, 3], strides: 1, pad: 2 },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1, dimRoundingMode: 'floor' },
  { x: [2, 6, 6, 3], filter: [3, 3, 3, 2], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'same', dataFormat: 'NCHW' },
  { x: [1, 5, 8, 1], filter: [2, 3, 1, 2], strides: 1, pad: 'valid', dataFormat: 'NCHW' },
  { x: [4, 28, 28, 1], filter: [5, 5, 1, 8], strides: 2, pad: 'same' }, // a DCGAN discriminator's first layer
  { x: [4, 14, 14, 16], filter: [5, 5, 16, 32], strides: 2, pad: 'same' },
  { x: [3, 13, 11, 7], filter: [2, 2, 7, 9], strides: 2, pad: 'valid' },
  // 256 filter rows (fh·fw·c) or more: the filter gradient runs as a dilated XNNPACK convolution instead of im2col.
  { x: [1, 9, 9, 11], filter: [5, 5, 11, 3], strides: 2, pad: 'valid' },
  { x: [2, 10, 10, 11], filter: [5, 5, 11, 4], strides: 2, pad: 'valid' }, // a row and a column never read
  { x: [2, 7, 6, 30], filter: [3, 3, 30, 5], strides: 1, pad: 'same' },
  { x: [3, 11, 13, 17], filter: [4, 4, 17, 6], strides: [2, 3], pad: 'same' },
  { x: [2, 8, 8, 29], filter: [3, 3, 29, 2], strides: 2, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  { x: [2, 9, 9, 12], filter: [5, 5, 12, 3], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { x: [2, 9, 8, 12], filter: [5, 5, 12, 3], strides: 2, pad: 'same', dataFormat: 'NCHW' },
  { x: [2, 10, 10, 11], filter: [5, 5, 11, 4], strides: 3, pad: 'valid', dataFormat: 'NCHW' },
  // NCHW with explicit padding, given in NCHW axis order, on both filter-gradient paths (im2col and convolution).
  { x: [2, 6, 6, 3], filter: [3, 3, 3, 2], strides: 2, pad: [[0, 0], [0, 0], [1, 2], [0, 1]], dataFormat: 'NCHW' },
  { x: [1, 7, 5, 2], filter: [3, 2, 2, 3], strides: 1, pad: [[0, 0], [0, 0], [2, 0], [0, 1]], dataFormat: 'NCHW' },
  { x: [2, 8, 8, 29], filter: [3, 3, 29, 2], strides: 2, pad: [[0, 0], [0, 0], [2, 0], [1, 2]], dataFormat: 'NCHW' },
  { x: [2, 9, 9, 12], filter: [5, 5, 12, 3], strides: 2, pad: [[0, 0], [0, 0], [1, 1], [2, 2]], dataFormat: 'NCHW', dimRoundingMode: 'ceil' },
  { x: [2, 14, 14, 64], filter: [5, 5, 64, 16], strides: 2, pad: 'same' }, // a DCGAN discriminator's second layer
  // 8 or more channels in dx and a stride: the input gradient runs as one stride-1 convolution per output phase.
  { x: [2, 14, 14, 16], filter: [5, 5, 16, 32], strides: 2, pad: 'valid' },
  { x: [2, 9, 10, 8], filter: [1, 1, 8, 3], strides: 2, pad: 'valid' }, // phases with no filter tap
  { x: [1, 10, 11, 9], filter: [2, 2, 9, 4], strides: 3, pad: 'valid' }, // rows no output position reads
  { x: [2, 11, 9, 10], filter: [4, 3, 10, 5], strides: [3, 2], pad: 'same' },
  { x: [2, 8, 7, 8], filter: [3, 3, 8, 6], strides: 2, pad: [[0, 0], [3, 0], [0, 2], [0, 0]] }, // padding past the filter
  { x: [2, 7, 7, 12], filter: [5, 5, 12, 4], strides: 4, pad: 2, dimRoundingMode: 'floor' },
];

const label = (c: Case) =>
  `x ${c.x.join('×')}, filter ${c.filter.join('×')}, strides ${String(c.strides)}, pad ${JSON.stringify(c.pad)}` +
  `${c.dataFormat === 'NCHW' ? ', NCHW' : ''}${c.dimRoundingMode ? `, ${c.dimRoundingMode}` : ''}`;

describe('wasm Conv2DBackpropFilter and Conv2DBackpropInput', () => {
  useWasmTrainingKernels();

  it.each(CASES.map((c) => [label(c), c] as const))('match cpu: %s', async (_, c) => {
    const want = await onBackend('cpu', () => backprops(c));
    const got = await onBackend('wasm', () => backprops(c));
    expectRelClose(got[0]!, want[0]!); // dW
    expectRelClose(got[1]!, want[1]!); // dx
  });

  it('give the cpu gradients of conv2d and conv2dTranspose layers end to end', async () => {
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor(values([2, 9, 9, 3], 4), [2, 9, 9, 3]) as tf.Tensor4D;
        const w = tf.tensor(values([5, 5, 3, 4], 5), [5, 5, 3, 4]) as tf.Tensor4D;
        const v = tf.tensor(values([3, 3, 2, 4], 6), [3, 3, 2, 4]) as tf.Tensor4D;
        const f = (xx: tf.Tensor, ww: tf.Tensor, vv: tf.Tensor) => {
          const h = tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'); // [2, 5, 5, 4]
          const up = tf.conv2dTranspose(h, vv as tf.Tensor4D, [2, 10, 10, 2], 2, 'same'); // [2, 10, 10, 2]
          return tf.sum(tf.square(up));
        };
        return tf.grads(f)([x, w, v]).map((t) => t.dataSync() as Float32Array);
      });
    const want = await onBackend('cpu', grads);
    const got = await onBackend('wasm', grads);
    got.forEach((g, i) => expectRelClose(g, want[i]!));
  });

  it.each(CASES.filter((c) => c.dataFormat === 'NCHW').map((c) => [label(c), c] as const))(
    'free their temporaries in the backend: %s',
    async (_, c) => {
      await tf.setBackend('wasm');
      backprops(c);
      const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
      for (let i = 0; i < 3; i++) backprops(c);
      expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual(before);
    },
  );
});

describe('installing and uninstalling the convolution kernels', () => {
  it('adds Conv2DBackpropFilter, swaps Conv2DBackpropInput, and restores the stock registry', async () => {
    await tf.setBackend('wasm');
    const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const uninstall = installWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).not.toBe(stockInput);
    uninstall();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(stockInput);
    await tf.setBackend('cpu');
  });
});
