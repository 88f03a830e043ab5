import * as tf from '@tensorflow/tfjs-core';

/*
 * The places where the library reaches below tfjs-core's public API, kept together so that a tfjs upgrade has one
 * file to check. All rely on fields and methods that tfjs-core 4.x declares public on its Engine and KernelBackend
 * classes.
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
  removeDataId(dataId: object, backend: tf.KernelBackend): void;
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
 * A variable's current value, kept alive by a reference count on its buffer rather than by a copy or a tensor: tfjs
 * never writes a buffer in place, so after `variable.assign` the held buffer still has the old values. Taking and
 * releasing one costs two map look-ups, where `tf.clone` would run a kernel (and copy, on stock wasm).
 */
export class HeldValue {
  private readonly dataId: object;
  private readonly backend: tf.KernelBackend;
  private released = false;

  constructor(private readonly variable: tf.Variable) {
    this.dataId = variable.dataId;
    const info = engine().state.tensorInfo.get(this.dataId);
    if (info === undefined) throw new Error(`variable ${variable.name} has no data`);
    this.backend = info.backend;
    this.backend.incRef(this.dataId);
  }

  /** Puts the held value back into the variable (unless it was disposed since), and releases the hold. */
  restore(): void {
    if (!this.variable.isDisposed && this.variable.dataId !== this.dataId) {
      // The tensor takes over this hold's reference; assign adds the variable's own.
      const value = engine().makeTensorFromDataId(this.dataId, this.variable.shape, this.variable.dtype, this.backend);
      this.released = true;
      this.variable.assign(value);
      value.dispose();
      return;
    }
    this.release();
  }

  /** Lets the held buffer go (freed when nothing else uses it). */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.backend.disposeData(this.dataId)) engine().removeDataId(this.dataId, this.backend);
  }
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
