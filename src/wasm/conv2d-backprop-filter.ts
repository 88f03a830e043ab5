import type * as tf from '@tensorflow/tfjs-core';
import { requireKernel, type KernelPatch } from './kernel-patch';
import { conv2dInfo, matMul, transposeLayout, view, wasmBackend, withTemps, type WasmBackend } from './wasm-backend';

/**
 * Writes the patches of `x` (NHWC) that the filter sees as the rows of `out`, `[fh·fw·c, n·oh·ow]`: row (i, j, c)
 * holds x[n, oh·sh + i − top, ow·sw + j − left, c] for every output position, 0 in the padding. Rows are written in
 * order, so the writes stream; the reads stride by sw·C through x, which stays in cache.
 */
export function im2colRows(x: ArrayLike<number>, out: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const step = strideWidth * inChannels;
  let o = 0;
  for (let i = 0; i < filterHeight; i++) {
    for (let j = 0; j < filterWidth; j++) {
      // Output columns whose input column ow·sw + j − left falls inside the image.
      const lo = Math.min(outWidth, Math.max(0, Math.ceil((left - j) / strideWidth)));
      const hi = Math.max(lo, Math.min(outWidth, Math.floor((inWidth - 1 + left - j) / strideWidth) + 1));
      for (let c = 0; c < inChannels; c++) {
        for (let n = 0; n < batchSize; n++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const h = oh * strideHeight + i - top;
            if (h < 0 || h >= inHeight) {
              out.fill(0, o, o + outWidth);
              o += outWidth;
              continue;
            }
            for (let ow = 0; ow < lo; ow++) out[o++] = 0;
            let k = ((n * inHeight + h) * inWidth + lo * strideWidth + j - left) * inChannels + c;
            for (let ow = lo; ow < hi; ow++, k += step) out[o++] = x[k] as number;
            for (let ow = hi; ow < outWidth; ow++) out[o++] = 0;
          }
        }
      }
    }
  }
}

/**
 * Below this many rows of the filter gradient (fh·fw·c), XNNPACK's convolution has too little work per output to
 * beat im2col: 25 rows (a 5×5 filter on one channel) take 9 ms as a convolution and 2 ms as im2col; 1600 rows (5×5
 * on 64 channels) take 47 ms and 60 ms.
 */
const MIN_ROWS_FOR_CONVOLUTION = 256;

type Kernels = Readonly<Record<'batchMatMul' | 'transpose' | 'slice' | 'conv2d', tf.KernelFunc>>;

function run(kernel: tf.KernelFunc, backend: WasmBackend, inputs: tf.NamedTensorInfoMap, attrs: object): tf.TensorInfo {
  return kernel({ inputs, backend: backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

/**
 * dW as one XNNPACK convolution: x seen as c images of n channels, `[c, h, w, n]`, convolved with dy seen as an
 * `[oh, ow, n, k]` filter dilated by the stride; the output `[c, fh, fw, k]` is dW with its first axis moved. The
 * bottom and right padding make the output exactly fh × fw; rows a 'valid' convolution never read are cropped.
 */
function viaConvolution(
  k: Kernels,
  backend: WasmBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  nchw: boolean,
  info: tf.backend_util.Conv2DInfo,
  temps: tf.TensorInfo[],
): tf.TensorInfo {
  const { inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  let images = run(k.transpose, backend, { x }, { perm: nchw ? [1, 2, 3, 0] : [3, 1, 2, 0] }); // [c, h, w, n]
  temps.push(images);
  const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - top;
  const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - left;
  if (bottom < 0 || right < 0) {
    const size = [info.inChannels, inHeight + Math.min(0, bottom), inWidth + Math.min(0, right), info.batchSize];
    images = run(k.slice, backend, { x: images }, { begin: [0, 0, 0, 0], size });
    temps.push(images);
  }
  const filter = run(k.transpose, backend, { x: dy }, { perm: nchw ? [2, 3, 0, 1] : [1, 2, 0, 3] }); // [oh, ow, n, k]
  temps.push(filter);
  const attrs = {
    strides: [1, 1],
    pad: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [strideHeight, strideWidth],
  };
  const dw = run(k.conv2d, backend, { x: images, filter }, attrs); // [c, fh, fw, k]
  temps.push(dw);
  return run(k.transpose, backend, { x: dw }, { perm: [1, 2, 0, 3] }); // [fh, fw, c, k]
}

/** dW as the patches of x, rows `[fh·fw·c, n·oh·ow]` written in JavaScript, times dy `[n·oh·ow, k]` on XNNPACK. */
function viaIm2col(
  k: Kernels,
  backend: WasmBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  nchw: boolean,
  info: tf.backend_util.Conv2DInfo,
  temps: tf.TensorInfo[],
): tf.TensorInfo {
  if (nchw) {
    temps.push((x = transposeLayout(k.transpose, backend, x, true)));
    temps.push((dy = transposeLayout(k.transpose, backend, dy, true)));
  }
  const rows = info.filterHeight * info.filterWidth * info.inChannels;
  const positions = info.batchSize * info.outHeight * info.outWidth;
  const patches = backend.makeOutput([1, rows, positions], 'float32'); // [1, fh·fw·c, n·oh·ow]
  temps.push(patches);
  // Views are taken after the last allocation: a growing heap detaches older ones.
  im2colRows(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(patches) as Float32Array, info);
  const dw = matMul(k.batchMatMul, backend, patches, view(dy, [1, positions, info.outChannels])); // [1, fh·fw·c, k]
  return view(dw, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
}

/**
 * `Conv2DBackpropFilter`, which tfjs-backend-wasm 4.22 lacks, so that no convolution (nor transposed convolution)
 * could train there. The filter gradient dW[i, j, c, k] = Σ_{n, oh, ow} x[n, oh·sh + i − top, ow·sw + j − left, c] ·
 * dy[n, oh, ow, k] is computed on XNNPACK either as a convolution of x by dy (many filter rows) or as im2col and a
 * matrix product (few rows, e.g. a first layer on one channel). Both take NHWC and NCHW data.
 */
export const conv2dBackpropFilterPatch: KernelPatch = {
  kernelName: 'Conv2DBackpropFilter',
  create: () => {
    const kernels: Kernels = {
      batchMatMul: requireKernel('BatchMatMul'),
      transpose: requireKernel('Transpose'),
      slice: requireKernel('Slice'),
      conv2d: requireKernel('Conv2D'),
    };
    return (args) => {
      const backend = wasmBackend(args);
      const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      const x = args.inputs['x'] as tf.TensorInfo;
      const dy = args.inputs['dy'] as tf.TensorInfo;
      const nchw = attrs.dataFormat === 'NCHW';
      const [n = 0, a = 0, b = 0, c = 0] = x.shape;
      const info = conv2dInfo(nchw ? [n, b, c, a] : [n, a, b, c], attrs.filterShape, attrs);
      const rows = info.filterHeight * info.filterWidth * info.inChannels;
      const method = rows >= MIN_ROWS_FOR_CONVOLUTION ? viaConvolution : viaIm2col;
      return withTemps(backend, (temps) => method(kernels, backend, x, dy, nchw, info, temps));
    };
  },
};
