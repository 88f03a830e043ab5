import type * as tf from '@tensorflow/tfjs-core';
import { requireKernel, type KernelPatch } from './kernel-patch';
import { conv2dInfo, matMul, transposeLastTwo, transposeLayout, view, wasmBackend, withTemps } from './wasm-backend';

/**
 * Adds each row of `cols`, `[n·oh·ow, fh·fw·c]`, back onto the input positions its patch came from: the adjoint of
 * im2col. `dx` (NHWC) is overwritten.
 */
export function col2imAdd(cols: ArrayLike<number>, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const rowLength = filterHeight * filterWidth * inChannels;
  dx.fill(0);
  let base = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, base += rowLength) {
        for (let i = 0; i < filterHeight; i++) {
          const h = oh * strideHeight + i - top;
          if (h < 0 || h >= inHeight) continue;
          const rowStart = (n * inHeight + h) * inWidth;
          for (let j = 0; j < filterWidth; j++) {
            const w = ow * strideWidth + j - left;
            if (w < 0 || w >= inWidth) continue;
            const d = (rowStart + w) * inChannels;
            const s = base + (i * filterWidth + j) * inChannels;
            for (let c = 0; c < inChannels; c++) dx[d + c]! += cols[s + c] as number;
          }
        }
      }
    }
  }
}

/**
 * `Conv2DBackpropInput`: the input gradient of a convolution, and the forward pass of every transposed convolution
 * (a DCGAN generator's upsampling). The stock wasm kernel is a direct loop, about 7× slower than the XNNPACK forward
 * convolution of the same size (324 ms against 46 ms at DCGAN size). Here it is one matrix product, dy `[n·oh·ow, k]` times the filter transposed
 * `[k, fh·fw·c]`, giving each output position's patch gradient, then a JavaScript col2im that adds the patches back
 * onto the input positions. NCHW data is transposed to NHWC and back.
 */
export const conv2dBackpropInputPatch: KernelPatch = {
  kernelName: 'Conv2DBackpropInput',
  create: () => {
    const batchMatMul = requireKernel('BatchMatMul');
    const transpose = requireKernel('Transpose');
    return (args) => {
      const backend = wasmBackend(args);
      const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
      const filter = args.inputs['filter'] as tf.TensorInfo;
      return withTemps(backend, (temps) => {
        let dy = args.inputs['dy'] as tf.TensorInfo;
        const nchw = attrs.dataFormat === 'NCHW';
        const [n = 0, a = 0, b = 0, c = 0] = attrs.inputShape;
        const inputShape = nchw ? [n, b, c, a] : [n, a, b, c]; // NHWC
        if (nchw) temps.push((dy = transposeLayout(transpose, backend, dy, true)));
        const info = conv2dInfo(inputShape, filter.shape, attrs);
        const rowLength = info.filterHeight * info.filterWidth * info.inChannels;
        const positions = info.batchSize * info.outHeight * info.outWidth;
        const filterT = transposeLastTwo(transpose, backend, view(filter, [1, rowLength, info.outChannels]), temps);
        const cols = matMul(batchMatMul, backend, view(dy, [1, positions, info.outChannels]), filterT); // [1, n·oh·ow, fh·fw·c]
        temps.push(cols);
        const dx = backend.makeOutput(inputShape, 'float32');
        col2imAdd(backend.typedArrayFromHeap(cols), backend.typedArrayFromHeap(dx) as Float32Array, info);
        if (!nchw) return dx;
        temps.push(dx);
        return transposeLayout(transpose, backend, dx, false);
      });
    };
  },
};
