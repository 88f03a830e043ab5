import * as tf from '@tensorflow/tfjs-core';

/*
 * Gradients nobody reads. tfjs-core differentiates a fused matrix product or convolution (every dense and conv layer)
 * with a custom gradient that computes the gradients of all its inputs, whatever the caller asked for: a
 * discriminator's update pays for the input gradient of its first layer on real and fake data, a generator's update
 * for every discriminator weight gradient, a VAE's for its encoder's input gradient. The engine then frees them
 * unread. Here the products behind those gradients are deferred: the kernel returns an allocated output and records
 * how to fill it; any kernel that takes it as input, or any read of its data, computes it first, and freeing it
 * unread drops the work. Results are the same numbers, computed by the same kernels, at most later.
 */

/** The output shape of a deferred kernel, from its inputs and attributes, without running it. */
export type OutputShape = (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => number[] | undefined;

interface Backend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.backend_util.TypedArray;
  incRef(dataId: object): void;
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object, begin?: number, end?: number): tf.backend_util.BackendValues;
  read(dataId: object): Promise<tf.backend_util.BackendValues>;
}

interface Pending {
  readonly kernelName: string;
  readonly compute: () => void;
  readonly release: () => void;
}

const pending = new Map<object, Pending>();
const patchedBackends = new Set<Backend>();
const counts = { deferred: 0, computed: 0, dropped: 0 };
/** Milliseconds spent computing deferred outputs, and how many were dropped, per kernel name. */
const perKernel = new Map<string, { computed: number; ms: number; dropped: number }>();

function kernelCounts(name: string): { computed: number; ms: number; dropped: number } {
  let c = perKernel.get(name);
  if (c === undefined) perKernel.set(name, (c = { computed: 0, ms: 0, dropped: 0 }));
  return c;
}

/** Computes a deferred output now, if `dataId` is one. */
function materialize(dataId: object): void {
  const p = pending.get(dataId);
  if (p === undefined) return;
  pending.delete(dataId);
  counts.computed++;
  const c = kernelCounts(p.kernelName);
  const start = performance.now();
  try {
    p.compute();
  } finally {
    c.computed++;
    c.ms += performance.now() - start;
  }
}

function materializeInputs(inputs: tf.NamedTensorInfoMap): void {
  if (pending.size === 0) return;
  for (const name in inputs) {
    const t = inputs[name];
    if (t !== undefined && t !== null) materialize(t.dataId);
  }
}

/** Every read of the backend's data goes through these, and freeing a deferred output unread drops its work. */
function watchBackend(backend: Backend): void {
  if (patchedBackends.has(backend)) return;
  patchedBackends.add(backend);
  const proto = Object.getPrototypeOf(backend) as Backend;
  backend.readSync = function (dataId, begin, end) {
    materialize(dataId);
    return proto.readSync.call(this, dataId, begin, end);
  };
  backend.read = function (dataId) {
    materialize(dataId);
    return proto.read.call(this, dataId);
  };
  backend.disposeData = function (dataId, force) {
    const p = pending.get(dataId);
    if (p !== undefined) {
      pending.delete(dataId);
      counts.dropped++;
      kernelCounts(p.kernelName).dropped++;
      p.release();
    }
    return proto.disposeData.call(this, dataId, force);
  };
}

function unwatchBackends(): void {
  for (const backend of patchedBackends) {
    const own = backend as unknown as Record<string, unknown>;
    delete own['readSync'];
    delete own['read'];
    delete own['disposeData'];
  }
  patchedBackends.clear();
}

/** Runs every deferred kernel now: before the kernels that watch for them are taken away. */
export function materializeAll(): void {
  for (const dataId of [...pending.keys()]) materialize(dataId);
}

/**
 * Deferred kernel outputs so far: deferred, computed when used, dropped unread (the work saved), and waiting now.
 * For tests and the profiler.
 */
export function lazyCounts(): {
  deferred: number;
  computed: number;
  dropped: number;
  pending: number;
  perKernel: Map<string, { computed: number; ms: number; dropped: number }>;
} {
  return { ...counts, pending: pending.size, perKernel: new Map([...perKernel].map(([k, v]) => [k, { ...v }])) };
}

function deferred(kernelName: string, kernelFunc: tf.KernelFunc, outputShape: OutputShape): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as Backend;
    watchBackend(backend);
    materializeInputs(args.inputs);
    const inputs = Object.values(args.inputs).filter((t): t is tf.TensorInfo => t !== undefined && t !== null);
    const shape = outputShape(args.inputs, args.attrs ?? {});
    if (shape === undefined || inputs.some((t) => t.dtype !== 'float32')) return kernelFunc(args);
    const out = backend.makeOutput(shape, 'float32');
    counts.deferred++;
    for (const t of inputs) backend.incRef(t.dataId);
    const release = () => {
      for (const t of inputs) backend.disposeData(t.dataId);
    };
    pending.set(out.dataId, {
      kernelName,
      compute: () => {
        try {
          const result = kernelFunc(args) as tf.TensorInfo;
          try {
            if (!tf.util.arraysEqual(result.shape, shape)) {
              throw new Error(`deferred kernel gave shape [${result.shape.join(', ')}], expected [${shape.join(', ')}]`);
            }
            (backend.typedArrayFromHeap(out) as Float32Array).set(backend.typedArrayFromHeap(result) as Float32Array);
          } finally {
            backend.disposeData(result.dataId);
          }
        } finally {
          release();
        }
      },
      release,
    });
    return out;
  };
}

function materializing(kernelFunc: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    materializeInputs(args.inputs);
    return kernelFunc(args);
  };
}

/**
 * Re-registers every wasm kernel: those named in `lazy` defer their work, all the others compute any deferred input
 * first. Returns the undo, which computes whatever is still deferred and puts the previous kernels back. Call it after
 * the other patches, so that it wraps them; kernels registered later are not wrapped, so install after registering
 * custom wasm kernels.
 */
export function applyLaziness(lazy: ReadonlyMap<string, OutputShape>): () => void {
  const previous = tf.getKernelsForBackend('wasm');
  const done: tf.KernelConfig[] = [];
  const undo = () => {
    materializeAll();
    for (const config of done.reverse()) {
      tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel(config);
    }
    done.length = 0;
    unwatchBackends();
  };
  try {
    for (const config of previous) {
      const shape = lazy.get(config.kernelName);
      const kernelFunc = shape === undefined ? materializing(config.kernelFunc) : deferred(config.kernelName, config.kernelFunc, shape);
      tf.unregisterKernel(config.kernelName, 'wasm');
      done.push(config);
      tf.registerKernel({ ...config, kernelFunc });
    }
  } catch (e) {
    undo();
    throw e;
  }
  return undo;
}

/** BatchMatMul's output shape: broadcast batch dimensions, then rows of a by columns of b. */
export const batchMatMulShape: OutputShape = (inputs, attrs) => {
  const a = inputs['a'] as tf.TensorInfo;
  const b = inputs['b'] as tf.TensorInfo;
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (a.shape.length < 2 || b.shape.length < 2) return undefined;
  const batch = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const m = a.shape[a.shape.length - (transposeA ? 1 : 2)]!;
  const n = b.shape[b.shape.length - (transposeB ? 2 : 1)]!;
  return [...batch, m, n];
};

/** The kernels whose outputs the fused layers' gradients may leave unread, and how to size them. */
export const GRADIENT_KERNELS: ReadonlyMap<string, OutputShape> = new Map<string, OutputShape>([
  ['BatchMatMul', batchMatMulShape],
  ['Conv2DBackpropInput', (_, attrs) => [...(attrs as unknown as tf.Conv2DBackpropInputAttrs).inputShape]],
  ['Conv2DBackpropFilter', (_, attrs) => [...(attrs as unknown as tf.Conv2DBackpropFilterAttrs).filterShape]],
]);
