import * as tf from '@tensorflow/tfjs-core';

/*
 * The two places where the library reaches below tfjs-core's public API, kept together so that a tfjs upgrade has one
 * file to check. Both rely on fields that tfjs-core 4.x declares public on its Engine and KernelBackend classes.
 */

interface TapeNode {
  readonly saved?: readonly tf.Tensor[];
}

interface EngineInternals {
  readonly state: {
    readonly tensorInfo: { get(dataId: object): { readonly backend: tf.KernelBackend } | undefined };
    activeTape: TapeNode[] | null;
    readonly gradientDepth: number;
  };
  makeTensorFromDataId(
    dataId: object,
    shape: readonly number[],
    dtype: tf.DataType,
    backend: tf.KernelBackend,
  ): tf.Tensor;
}

function engine(): EngineInternals {
  return tf.engine() as unknown as EngineInternals;
}

/**
 * A new tensor that shares `t`'s current buffer, so the value survives a later `variable.assign`: a snapshot without a
 * copy and without a kernel dispatch (`tf.clone` runs the Identity kernel, which copies on stock wasm). The caller
 * disposes it. Called outside any `tf.tidy`, or kept.
 */
export function hold(t: tf.Tensor): tf.Tensor {
  const info = engine().state.tensorInfo.get(t.dataId);
  if (info === undefined) return tf.clone(t);
  info.backend.incRef(t.dataId);
  return engine().makeTensorFromDataId(t.dataId, t.shape, t.dtype, info.backend);
}

/**
 * Ends a gradient tape that a failed `tf.variableGrads` left behind. When the function under the tape throws, tfjs
 * lowers the gradient depth but keeps the recorded tape and the tensors it saved for the backward pass: they would
 * leak, and stay reachable until the next gradient computation.
 */
export function closeAbandonedTape(): void {
  const state = engine().state;
  if (state.gradientDepth !== 0 || state.activeTape === null) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}
