import type * as tf from '@tensorflow/tfjs-core';
import { requireKernel, type KernelPatch } from './kernel-patch';
import {
  conv2dInfo,
  matMul,
  transposeLastTwo,
  transposeLayout,
  view,
  wasmBackend,
  withTemps,
  type WasmBackend,
} from './wasm-backend';

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

/** One output phase of a strided transposed convolution along one axis: which filter taps and dy rows feed it. */
export interface Phase {
  /** First filter tap of the phase; its taps are first, first + stride, … */
  readonly firstTap: number;
  /** Number of taps (0: the phase gets no contribution). */
  readonly taps: number;
  /** Output positions of the phase: phase, phase + stride, … below the input size. */
  readonly positions: number;
  /** dy rows the phase's stride-1 convolution reads: [cropStart, cropEnd), padded by padBefore and padAfter zeros. */
  readonly cropStart: number;
  readonly cropEnd: number;
  readonly padBefore: number;
  readonly padAfter: number;
}

/**
 * The phase `p` of dx along an axis of input size `size`, filter size `filter`, stride `stride`, leading padding
 * `pad` and `outSize` dy positions. dx[s·a + p] = Σ_m dy[a + c − m] · w[r + s·m] with r = (p + pad) mod s and
 * c = (p + pad − r) / s: a stride-1 correlation of dy with the phase's taps in reverse order.
 */
export function phaseOf(p: number, size: number, filter: number, stride: number, pad: number, outSize: number): Phase {
  const firstTap = (p + pad) % stride;
  const taps = firstTap >= filter ? 0 : Math.ceil((filter - firstTap) / stride);
  const positions = p >= size ? 0 : Math.ceil((size - p) / stride);
  const c = (p + pad - firstTap) / stride;
  const start = c - taps + 1; // dy index read by a = 0 and the first reversed tap
  const end = positions - 1 + c; // dy index read by the last position and the last reversed tap
  const cropStart = Math.min(outSize, Math.max(0, start));
  const cropEnd = Math.max(cropStart, Math.min(outSize, end + 1));
  return {
    firstTap,
    taps,
    positions,
    cropStart,
    cropEnd,
    padBefore: Math.max(0, -start),
    padAfter: Math.max(0, end - (outSize - 1)),
  };
}

/**
 * Copies the taps of one phase out of a filter `[fh, fw, k, c]` (already in conv2d's in/out order for dy → dx),
 * reversed along both axes, into `out` `[th, tw, k, c]`.
 */
export function gatherPhaseFilter(
  filterKc: Float32Array,
  out: Float32Array,
  fw: number,
  kc: number,
  rows: Phase,
  cols: Phase,
  strideHeight: number,
  strideWidth: number,
): void {
  let o = 0;
  for (let i = 0; i < rows.taps; i++) {
    const fi = rows.firstTap + strideHeight * (rows.taps - 1 - i);
    for (let j = 0; j < cols.taps; j++, o += kc) {
      const fj = cols.firstTap + strideWidth * (cols.taps - 1 - j);
      const s = (fi * fw + fj) * kc;
      out.set(filterKc.subarray(s, s + kc), o);
    }
  }
}

/** Writes the phase result `[n, rows, cols, c]` into dx (NHWC) at rows p, p + sh, … and columns q, q + sw, … */
export function scatterPhase(
  phase: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  p: number,
  q: number,
  rows: number,
  cols: number,
): void {
  const { batchSize, inHeight, inWidth, inChannels: c, strideHeight, strideWidth } = info;
  let s = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let a = 0; a < rows; a++) {
      let d = ((n * inHeight + a * strideHeight + p) * inWidth + q) * c;
      if (c === 1) {
        for (let b = 0; b < cols; b++, d += strideWidth) dx[d] = phase[s++]!;
      } else {
        for (let b = 0; b < cols; b++, d += strideWidth * c, s += c) dx.set(phase.subarray(s, s + c), d);
      }
    }
  }
}

interface Kernels {
  readonly batchMatMul: tf.KernelFunc;
  readonly transpose: tf.KernelFunc;
  readonly slice: tf.KernelFunc;
  readonly conv2d: tf.KernelFunc;
}

function run(kernel: tf.KernelFunc, backend: WasmBackend, inputs: tf.NamedTensorInfoMap, attrs: object): tf.TensorInfo {
  return kernel({ inputs, backend: backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

/**
 * dx as one stride-1 XNNPACK convolution per output phase (sh·sw of them): each phase of dx sees only the filter taps
 * congruent to it, so the phases together do exactly the multiply-adds of the transposed convolution, with no
 * zeros inserted and no col2im, and XNNPACK's stride-1 convolution is its fastest.
 */
function viaPhases(
  k: Kernels,
  backend: WasmBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  temps: tf.TensorInfo[],
): tf.TensorInfo {
  const { batchSize: n, inHeight, inWidth, inChannels: c, outHeight, outWidth, outChannels: kOut } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const filterKc = run(k.transpose, backend, { x: filter }, { perm: [0, 1, 3, 2] }); // [fh, fw, k, c]
  temps.push(filterKc);
  const parts: { rows: Phase; cols: Phase; p: number; q: number; out: tf.TensorInfo }[] = [];
  for (let p = 0; p < sh; p++) {
    const rows = phaseOf(p, inHeight, fh, sh, top, outHeight);
    for (let q = 0; q < sw; q++) {
      const cols = phaseOf(q, inWidth, fw, sw, left, outWidth);
      const reads = rows.cropEnd > rows.cropStart && cols.cropEnd > cols.cropStart;
      if (rows.taps === 0 || cols.taps === 0 || rows.positions === 0 || cols.positions === 0 || !reads) continue;
      const taps = backend.makeOutput([rows.taps, cols.taps, kOut, c], 'float32');
      temps.push(taps);
      gatherPhaseFilter(
        backend.typedArrayFromHeap(filterKc) as Float32Array,
        backend.typedArrayFromHeap(taps) as Float32Array,
        fw,
        kOut * c,
        rows,
        cols,
        sh,
        sw,
      );
      let x = dy;
      if (rows.cropStart > 0 || rows.cropEnd < outHeight || cols.cropStart > 0 || cols.cropEnd < outWidth) {
        const size = [n, rows.cropEnd - rows.cropStart, cols.cropEnd - cols.cropStart, kOut];
        temps.push((x = run(k.slice, backend, { x: dy }, { begin: [0, rows.cropStart, cols.cropStart, 0], size })));
      }
      const pad = [
        [0, 0],
        [rows.padBefore, rows.padAfter],
        [cols.padBefore, cols.padAfter],
        [0, 0],
      ];
      const out = run(k.conv2d, backend, { x, filter: taps }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] });
      temps.push(out);
      parts.push({ rows, cols, p, q, out });
    }
  }
  const dx = backend.makeOutput([n, inHeight, inWidth, c], 'float32');
  const dxData = backend.typedArrayFromHeap(dx) as Float32Array;
  // Phases without taps (a filter smaller than the stride) or without dy rows get nothing; the others cover their
  // positions exactly.
  if (parts.length < sh * sw) dxData.fill(0);
  for (const { rows, cols, p, q, out } of parts) {
    scatterPhase(backend.typedArrayFromHeap(out) as Float32Array, dxData, info, p, q, rows.positions, cols.positions);
  }
  return dx;
}

/** dx as one matrix product, dy `[n·oh·ow, k]` times the filter transposed `[k, fh·fw·c]`, and a col2im. */
function viaCol2im(
  k: Kernels,
  backend: WasmBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  temps: tf.TensorInfo[],
): tf.TensorInfo {
  const rowLength = info.filterHeight * info.filterWidth * info.inChannels;
  const positions = info.batchSize * info.outHeight * info.outWidth;
  const filterT = transposeLastTwo(k.transpose, backend, view(filter, [1, rowLength, info.outChannels]), temps);
  const cols = matMul(k.batchMatMul, backend, view(dy, [1, positions, info.outChannels]), filterT); // [1, n·oh·ow, fh·fw·c]
  temps.push(cols);
  const dx = backend.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
  col2imAdd(backend.typedArrayFromHeap(cols), backend.typedArrayFromHeap(dx) as Float32Array, info);
  return dx;
}

/**
 * Below this many channels of dx, a convolution per phase has too few outputs per pixel to beat one matrix product
 * and a col2im (a DCGAN generator's last layer, 64 → 1 channel).
 */
const MIN_CHANNELS_FOR_PHASES = 8;

/**
 * `Conv2DBackpropInput`: the input gradient of a convolution, and the forward pass of every transposed convolution
 * (a DCGAN generator's upsampling). The stock wasm kernel is a direct loop, about 7× slower than the XNNPACK forward
 * convolution of the same size. Here a strided one runs as one stride-1 XNNPACK convolution per output phase (see
 * {@link phaseOf}); with few channels, or stride 1, as one matrix product and a JavaScript col2im. NCHW data is
 * transposed to NHWC and back.
 */
export const conv2dBackpropInputPatch: KernelPatch = {
  kernelName: 'Conv2DBackpropInput',
  create: () => {
    const k: Kernels = {
      batchMatMul: requireKernel('BatchMatMul'),
      transpose: requireKernel('Transpose'),
      slice: requireKernel('Slice'),
      conv2d: requireKernel('Conv2D'),
    };
    return (args) => {
      const backend = wasmBackend(args);
      const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
      const filter = args.inputs['filter'] as tf.TensorInfo;
      return withTemps(backend, (temps) => {
        let dy = args.inputs['dy'] as tf.TensorInfo;
        const nchw = attrs.dataFormat === 'NCHW';
        const [n = 0, a = 0, b = 0, c = 0] = attrs.inputShape;
        const inputShape = nchw ? [n, b, c, a] : [n, a, b, c]; // NHWC
        if (nchw) temps.push((dy = transposeLayout(k.transpose, backend, dy, true)));
        const info = conv2dInfo(inputShape, filter.shape, attrs);
        const strided = info.strideHeight > 1 || info.strideWidth > 1;
        const method = strided && info.inChannels >= MIN_CHANNELS_FOR_PHASES ? viaPhases : viaCol2im;
        const dx = method(k, backend, dy, filter, info, temps);
        if (!nchw) return dx;
        temps.push(dx);
        return transposeLayout(k.transpose, backend, dx, false);
      });
    };
  },
};
