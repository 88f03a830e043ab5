import * as tf from '@tensorflow/tfjs-core';

/**
 * The parts of tfjs-backend-wasm's `BackendWasm` the kernels use. They are typed here rather than imported, so that
 * this entry point needs the wasm package only as an optional peer and never loads it itself.
 */
export interface WasmBackend {
  /** A float view of a tensor's bytes in the wasm heap; invalid once the heap grows (after any allocation). */
  typedArrayFromHeap(t: tf.TensorInfo): tf.backend_util.TypedArray;
  /** Allocates an output tensor in the heap; its contents are undefined. */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

/** The backend of a kernel call, seen through {@link WasmBackend}. */
export function wasmBackend(args: { backend: unknown }): WasmBackend {
  return args.backend as WasmBackend;
}

/** A different shape over the same data, for handing a tensor to another kernel; owns nothing. */
export function view(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Runs `fn` with a scratch list of temporaries that are freed in the backend afterwards, whatever happens. */
export function withTemps<T>(backend: WasmBackend, fn: (temps: tf.TensorInfo[]) => T): T {
  const temps: tf.TensorInfo[] = [];
  try {
    return fn(temps);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * The geometry of a 2-D convolution in NHWC, from tfjs's own shape logic (padding modes, rounding, strides).
 * `xShape` is already NHWC; explicit padding comes in the data format's axis order (`[[0, 0], [0, 0], [t, b], [l, r]]`
 * for NCHW), so it is reordered to NHWC with the shape.
 */
export function conv2dInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    dataFormat?: 'NHWC' | 'NCHW';
  },
): tf.backend_util.Conv2DInfo {
  const { pad } = attrs;
  const nhwcPad =
    attrs.dataFormat === 'NCHW' && typeof pad === 'object'
      ? ([pad[0], pad[2], pad[3], pad[1]] as tf.backend_util.ExplicitPadding)
      : pad;
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    nhwcPad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** NCHW → NHWC (`toLast`) or back, as a new tensor, with the stock Transpose kernel. */
export function transposeLayout(transpose: tf.KernelFunc, backend: WasmBackend, x: tf.TensorInfo, toLast: boolean): tf.TensorInfo {
  const perm = toLast ? [0, 2, 3, 1] : [0, 3, 1, 2];
  return transpose({ inputs: { x }, backend: backend as unknown as tf.KernelBackend, attrs: { perm } }) as tf.TensorInfo;
}

/** `[…, a, b]` → `[…, b, a]` as a new tensor in `temps`. */
export function transposeLastTwo(
  transpose: tf.KernelFunc,
  backend: WasmBackend,
  x: tf.TensorInfo,
  temps: tf.TensorInfo[],
): tf.TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [n - 1, n - 2];
  const out = transpose({ inputs: { x }, backend: backend as unknown as tf.KernelBackend, attrs: { perm } }) as tf.TensorInfo;
  temps.push(out);
  return out;
}

/** The plain (untransposed) product `a · b` of two `[1, m, k]`·`[1, k, n]` tensors with a stock BatchMatMul. */
export function matMul(matMulKernel: tf.KernelFunc, backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  return matMulKernel({
    inputs: { a, b },
    backend: backend as unknown as tf.KernelBackend,
    attrs: { transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
}
