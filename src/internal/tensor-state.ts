import * as tf from '@tensorflow/tfjs-core';
import { StateError } from '../errors';
import { describe, formatShape } from './shapes';

/**
 * One saved tensor: its shape, dtype and values, in plain arrays.
 *
 * @example
 * ```ts
 * const { shape, dtype, values }: TensorState = (await vae.getState()).encoder.weights[0]!;
 * ```
 * @group Models
 */
export interface TensorState {
  /** The tensor's shape. */
  readonly shape: readonly number[];
  /** Its dtype. */
  readonly dtype: 'float32' | 'int32';
  /** Its values in row-major order, a copy the caller owns. */
  readonly values: Float32Array | Int32Array;
}

/** Reads a tensor's values into a {@link TensorState}. */
export async function tensorState(t: tf.Tensor): Promise<TensorState> {
  if (t.dtype !== 'float32' && t.dtype !== 'int32')
    throw new StateError('tensor', "dtype 'float32' or 'int32'", t.dtype);
  // A copy: the cpu backend hands back its own buffer, which a caller editing the state would otherwise write through.
  const values = ((await t.data()) as Float32Array | Int32Array).slice();
  return { shape: [...t.shape], dtype: t.dtype, values };
}

/** Throws a StateError naming `path` unless `state` is a well-formed tensor of `shape` and `dtype`. */
export function checkTensorState(
  state: unknown,
  shape: readonly number[],
  dtype: tf.DataType,
  path: string,
): TensorState {
  const s = state as Partial<TensorState> | null;
  if (typeof s !== 'object' || s === null || !Array.isArray(s.shape)) {
    throw new StateError(path, 'a saved tensor { shape, dtype, values }', describe(state));
  }
  if (s.shape.length !== shape.length || s.shape.some((d, i) => d !== shape[i])) {
    throw new StateError(`${path}.shape`, formatShape(shape), formatShape(s.shape as number[]));
  }
  if (s.dtype !== dtype) throw new StateError(`${path}.dtype`, `'${dtype}'`, describe(s.dtype));
  const ArrayType = dtype === 'int32' ? Int32Array : Float32Array;
  const size = shape.reduce((a, b) => a * b, 1);
  if (!(s.values instanceof ArrayType) || s.values.length !== size) {
    throw new StateError(`${path}.values`, `a ${ArrayType.name} of ${size} values`, describe(s.values));
  }
  return s as TensorState;
}

/** Checks `state` against `variable` and returns the write that applies it, so a restore checks everything first. */
export function restoreTensor(variable: tf.Variable, state: unknown, path: string): () => void {
  const checked = checkTensorState(state, variable.shape, variable.dtype, path);
  return () => {
    const value = tf.tensor(checked.values, [...checked.shape], checked.dtype);
    variable.assign(value);
    value.dispose();
  };
}
