import type * as tf from '@tensorflow/tfjs-core';
import { requireKernel, requireStock, type KernelPatch } from './kernel-patch';
import { wasmBackend, withTemps, type WasmBackend } from './wasm-backend';

/*
 * The stock wasm matrix product runs on XNNPACK only for untransposed operands and hands it `b` as the weights of a
 * fully connected operator, which XNNPACK first packs into its own layout. Packing costs 5–10 ns per element of `b`,
 * as much as the product itself when `a` has 64 rows; the operator is cached per `b` until `b` is freed, so it pays
 * off only when the same `b` comes back. In training most products are gradients of fresh tensors: a 64×128 · 128×784
 * input gradient of a dense layer packed 100k elements for 6.4M multiply-adds. So each product is run in whichever of
 * two orientations moves the fewest bytes: a·b directly (packing b), or (bᵀ·aᵀ)ᵀ (packing aᵀ, the batch-sized side),
 * with the transposes each needs.
 */

/** Packing an element of `b` costs about this many element copies of a transpose. */
const PACK_COST = 6;

/** `b` tensors (by data id) XNNPACK holds packed, with the bias and activation of each cached operator. */
const packed = new WeakMap<object, Set<string>>();
const biasTags = new WeakMap<object, number>();
let nextBiasTag = 1;

function operatorKey(bias: tf.TensorInfo | undefined, activation: string): string {
  if (bias === undefined) return `0:${activation}`;
  let tag = biasTags.get(bias.dataId);
  if (tag === undefined) biasTags.set(bias.dataId, (tag = nextBiasTag++));
  return `${tag}:${activation}`;
}

function markPacked(b: tf.TensorInfo, key: string): void {
  const keys = packed.get(b.dataId);
  if (keys === undefined) packed.set(b.dataId, new Set([key]));
  else keys.add(key);
}

interface Geometry {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/**
 * Whether (bᵀ·aᵀ)ᵀ moves fewer bytes than a·b for `[m, k]·[k, n]`: the direct product packs k·n elements (none when
 * that `b` is already packed) and copies each transposed operand; the swapped one packs k·m, copies each operand that
 * is not already stored transposed, and transposes the m·n result.
 */
export function swapIsCheaper(g: Geometry, transposeA: boolean, transposeB: boolean, bIsPacked: boolean): boolean {
  const { m, k, n } = g;
  const direct = (bIsPacked && !transposeB ? 0 : PACK_COST * k * n) + (transposeA ? m * k : 0) + (transposeB ? k * n : 0);
  const swapped = PACK_COST * k * m + (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + m * n;
  return swapped < direct;
}

interface Kernels {
  readonly matMul: tf.KernelFunc;
  readonly transpose: tf.KernelFunc;
}

function run(kernel: tf.KernelFunc, backend: WasmBackend, inputs: tf.NamedTensorInfoMap, attrs: object): tf.TensorInfo {
  return kernel({ inputs, backend: backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

/** `[…, r, c]` → `[…, c, r]`, as a new tensor. */
function swapLastTwo(k: Kernels, backend: WasmBackend, x: tf.TensorInfo): tf.TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [r - 1, r - 2];
  return run(k.transpose, backend, { x }, { perm });
}

/** The plain product of two `[1, m, k]`·`[1, k, n]` operands on the stock kernel (XNNPACK, packing `b`). */
function plain(k: Kernels, backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const out = run(k.matMul, backend, { a, b }, { transposeA: false, transposeB: false });
  markPacked(b, operatorKey(undefined, 'linear'));
  return out;
}

/** (bᵀ·aᵀ) as `[1, n, m]`, from operands as the kernel received them. */
function swappedProduct(
  k: Kernels,
  backend: WasmBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  g: Geometry,
  temps: tf.TensorInfo[],
): tf.TensorInfo {
  let bT = { dataId: b.dataId, shape: [1, g.n, g.k], dtype: b.dtype };
  if (!transposeB) temps.push((bT = swapLastTwo(k, backend, b)));
  let aT = { dataId: a.dataId, shape: [1, g.k, g.m], dtype: a.dtype };
  if (!transposeA) temps.push((aT = swapLastTwo(k, backend, a)));
  return plain(k, backend, bT, aT);
}

/** The product's geometry for 3-D operands with one batch, or `undefined` for batched or non-float products. */
function geometry(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): Geometry | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== 3 || b.shape.length !== 3) return undefined;
  if (a.shape[0] !== 1 || b.shape[0] !== 1) return undefined;
  const [, a1 = 0, a2 = 0] = a.shape;
  const [, b1 = 0, b2 = 0] = b.shape;
  const g = { m: transposeA ? a2 : a1, k: transposeA ? a1 : a2, n: transposeB ? b1 : b2 };
  return g.m > 0 && g.k > 0 && g.n > 0 ? g : undefined;
}

/**
 * `BatchMatMul`. Transposed operands are made explicit (the stock kernel multiplies them in a scalar loop, 15× slower),
 * and each single-batch product runs in the cheaper orientation (see {@link swapIsCheaper}): with the rest, MLP
 * training steps run about 4× faster than on stock wasm.
 */
export const batchMatMulPatch: KernelPatch = {
  kernelName: 'BatchMatMul',
  create: (maybeStock) => {
    const k: Kernels = { matMul: requireStock(maybeStock, 'BatchMatMul').kernelFunc, transpose: requireKernel('Transpose') };
    return (args) => {
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      const backend = wasmBackend(args);
      const a = args.inputs['a'] as tf.TensorInfo;
      const b = args.inputs['b'] as tf.TensorInfo;
      const g = geometry(a, b, transposeA, transposeB);
      const bIsPacked = packed.get(b.dataId)?.has(operatorKey(undefined, 'linear')) === true;
      if (g !== undefined && swapIsCheaper(g, transposeA, transposeB, bIsPacked)) {
        return withTemps(backend, (temps) => {
          const outT = swappedProduct(k, backend, a, b, transposeA, transposeB, g, temps);
          temps.push(outT);
          return swapLastTwo(k, backend, outT);
        });
      }
      if (!transposeA && !transposeB) {
        const out = k.matMul(args) as tf.TensorInfo;
        if (g !== undefined) markPacked(b, operatorKey(undefined, 'linear'));
        return out;
      }
      return withTemps(backend, (temps) => {
        const aa = transposeA ? swapLastTwo(k, backend, a) : a;
        if (transposeA) temps.push(aa);
        const bb = transposeB ? swapLastTwo(k, backend, b) : b;
        if (transposeB) temps.push(bb);
        return run(k.matMul, backend, { a: aa, b: bb }, { transposeA: false, transposeB: false });
      });
    };
  },
};

interface FusedAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly activation: string;
  readonly leakyreluAlpha?: number;
}

type Activation = 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'sigmoid' | 'elu';
const EPILOGUE_ACTIVATIONS = new Set<string>(['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu']);

/**
 * out[i, j] = act(src[j, i] + bias[j]) (or src[i, j] when `srcTransposed` is false): the transpose back, the bias and
 * the activation of a fused product in one pass over the heap. A one-element bias is broadcast. The activations follow
 * the cpu backend's definitions, NaN passing through.
 */
export function transposeBiasActivate(
  src: Float32Array,
  out: Float32Array,
  m: number,
  n: number,
  bias: Float32Array | undefined,
  activation: Activation,
  alpha: number,
  srcTransposed = true,
): void {
  const biasStep = bias !== undefined && bias.length > 1 ? 1 : 0;
  const srcStep = srcTransposed ? m : 1;
  for (let i = 0; i < m; i++) {
    let o = i * n;
    let s = srcTransposed ? i : i * n;
    for (let j = 0, bj = 0; j < n; j++, o++, s += srcStep, bj += biasStep) {
      let v = src[s]! + (bias === undefined ? 0 : bias[bj]!);
      switch (activation) {
        case 'relu':
          v = v < 0 ? 0 : v;
          break;
        case 'relu6':
          v = v < 0 ? 0 : v > 6 ? 6 : v;
          break;
        case 'leakyrelu':
          v = v < 0 ? alpha * v : v;
          break;
        case 'sigmoid':
          v = 1 / (1 + Math.exp(-v));
          break;
        case 'elu':
          v = v < 0 ? Math.exp(v) - 1 : v;
          break;
        default:
          break;
      }
      out[o] = v;
    }
  }
}

/**
 * `_FusedMatMul`, every dense layer's forward pass (matrix product, bias and activation in one kernel). Weights change
 * at every training step, so the stock kernel packs them afresh at least once per step; when packing the batch-sized
 * side instead is cheaper (a VAE's 784×400 layers on a batch of 64: 313k elements against 50k), the product runs
 * swapped and one JavaScript pass transposes it back and adds the bias and the activation. Transposed operands, which
 * the stock kernel multiplies in a scalar loop, are made explicit first.
 */
export const fusedMatMulPatch: KernelPatch = {
  kernelName: '_FusedMatMul',
  create: (maybeStock) => {
    const stock = requireStock(maybeStock, '_FusedMatMul').kernelFunc;
    const k: Kernels = { matMul: requireKernel('BatchMatMul'), transpose: requireKernel('Transpose') };
    return (args) => {
      const attrs = args.attrs as unknown as FusedAttrs;
      const { transposeA, transposeB, activation } = attrs;
      const backend = wasmBackend(args);
      const a = args.inputs['a'] as tf.TensorInfo;
      const b = args.inputs['b'] as tf.TensorInfo;
      const bias = args.inputs['bias'] as tf.TensorInfo | undefined;
      const prelu = args.inputs['preluActivationWeights'] as tf.TensorInfo | undefined;
      const g = geometry(a, b, transposeA, transposeB);
      const biasFits = bias === undefined || (bias.shape.length === 1 && (bias.shape[0] === 1 || bias.shape[0] === g?.n));
      const key = operatorKey(bias, activation);
      if (g === undefined || prelu !== undefined || !biasFits || !EPILOGUE_ACTIVATIONS.has(activation)) {
        return stock(args);
      }
      // The stock kernel reads a one-element bias as if it had n elements: that case goes through the epilogue too.
      const broadcastBias = bias !== undefined && g.n > 1 && bias.shape[0] === 1;
      const swap = swapIsCheaper(g, transposeA, transposeB, packed.get(b.dataId)?.has(key) === true);
      if (swap || broadcastBias) {
        return withTemps(backend, (temps) => {
          let product: tf.TensorInfo;
          if (swap) {
            product = swappedProduct(k, backend, a, b, transposeA, transposeB, g, temps); // [1, n, m]
          } else {
            const aa = transposeA ? swapLastTwo(k, backend, a) : a;
            if (transposeA) temps.push(aa);
            const bb = transposeB ? swapLastTwo(k, backend, b) : b;
            if (transposeB) temps.push(bb);
            product = plain(k, backend, aa, bb); // [1, m, n]
          }
          temps.push(product);
          const out = backend.makeOutput([1, g.m, g.n], 'float32');
          // Views are taken after the last allocation: a growing heap detaches older ones.
          transposeBiasActivate(
            backend.typedArrayFromHeap(product) as Float32Array,
            backend.typedArrayFromHeap(out) as Float32Array,
            g.m,
            g.n,
            bias === undefined ? undefined : (backend.typedArrayFromHeap(bias) as Float32Array),
            activation as Activation,
            attrs.leakyreluAlpha ?? 0.2,
            swap,
          );
          return out;
        });
      }
      if (!transposeA && !transposeB) {
        const out = stock(args) as tf.TensorInfo;
        markPacked(b, key);
        return out;
      }
      return withTemps(backend, (temps) => {
        const aa = transposeA ? swapLastTwo(k, backend, a) : a;
        if (transposeA) temps.push(aa);
        const bb = transposeB ? swapLastTwo(k, backend, b) : b;
        if (transposeB) temps.push(bb);
        return stock({ ...args, inputs: { ...args.inputs, a: aa, b: bb }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      });
    };
  },
};
