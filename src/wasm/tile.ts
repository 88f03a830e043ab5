import type * as tf from '@tensorflow/tfjs-core';
import { requireStock, type KernelPatch } from './kernel-patch';
import { wasmBackend } from './wasm-backend';

type Numbers = tf.backend_util.TypedArray;

/**
 * Tiles `x` (shape `shape`) `reps` times along each axis into `out`, by copying each innermost run once and then
 * doubling whole blocks with `copyWithin` (a memmove): O(log reps) copies per block instead of one index computation
 * per element.
 */
export function tileInto(x: Numbers, shape: readonly number[], reps: readonly number[], out: Numbers): void {
  const rank = shape.length;
  if (rank === 0) {
    out.set(x.subarray(0, 1));
    return;
  }
  // outBlock[d]: elements of out spanned by one step along axis d - 1; inStride[d]: the same in x.
  const outBlock = new Array<number>(rank + 1).fill(1);
  const inStride = new Array<number>(rank + 1).fill(1);
  for (let d = rank - 1; d >= 0; d--) {
    outBlock[d] = outBlock[d + 1]! * shape[d]! * reps[d]!;
    inStride[d] = inStride[d + 1]! * shape[d]!;
  }
  const replicate = (start: number, length: number, times: number) => {
    // Doubling: after each copy the filled prefix is twice as long.
    for (let done = 1; done < times; ) {
      const n = Math.min(done, times - done);
      out.copyWithin(start + done * length, start, start + n * length);
      done += n;
    }
  };
  const fill = (d: number, xOffset: number, outOffset: number): void => {
    const size = shape[d]!;
    if (d === rank - 1) {
      out.set(x.subarray(xOffset, xOffset + size), outOffset);
    } else {
      for (let i = 0; i < size; i++) fill(d + 1, xOffset + i * inStride[d + 1]!, outOffset + i * outBlock[d + 1]!);
    }
    replicate(outOffset, size * outBlock[d + 1]!, reps[d]!);
  };
  fill(0, 0, 0);
}

/**
 * `Tile`, the broadcast in the gradient of batch normalisation (1/σ `[1, 1, 1, c]` tiled to the whole
 * `[n, h, w, c]` activation). The stock wasm kernel computes an index per element, about 60 ns each: 44 ms of a
 * DCGAN step, against 0.14 ms here. Here every contiguous run is copied once and then replicated by doubling memmoves. String tensors go to
 * the stock kernel unchanged.
 */
export const tilePatch: KernelPatch = {
  kernelName: 'Tile',
  create: (maybeStock) => {
    const stock = requireStock(maybeStock, 'Tile');
    return (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      if (x.dtype === 'string') return stock.kernelFunc(args);
      const backend = wasmBackend(args);
      const reps = (args.attrs as unknown as tf.TileAttrs).reps;
      const out = backend.makeOutput(
        x.shape.map((d, i) => d * (reps[i] ?? 1)),
        x.dtype,
      );
      if (out.shape.every((d) => d > 0)) {
        tileInto(backend.typedArrayFromHeap(x) as Numbers, x.shape, reps, backend.typedArrayFromHeap(out) as Numbers);
      }
      return out;
    };
  },
};
