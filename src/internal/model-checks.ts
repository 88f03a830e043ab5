import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ValueError } from '../errors';
import { describe, formatShape } from './shapes';

/** The loss a user function returned, checked: a training step needs one scalar to differentiate. */
export function scalarLoss(loss: unknown, argument: string): tf.Scalar {
  if (!(loss instanceof tf.Tensor) || loss.rank !== 0 || loss.dtype !== 'float32') {
    const received =
      loss instanceof tf.Tensor ? `a ${loss.dtype} tensor of shape ${formatShape(loss.shape)}` : describe(loss);
    throw new ValueError(argument, 'a function returning a float32 scalar tensor', received);
  }
  return loss as tf.Scalar;
}

/** The error for a network or optimizer disposed outside the model that owns it. */
export function disposedPart(argument: string): ValueError {
  return new ValueError(
    argument,
    'a live network or optimizer',
    'one disposed outside its model',
    'Only the model should dispose what it owns.',
  );
}

/** Refuses a network whose weights are already disposed, before a model takes it. */
export function assertLiveNetwork(model: tfl.LayersModel, argument: string): void {
  const live = typeof model === 'object' && model !== null && Array.isArray(model.weights);
  if (!live) throw new ConfigError(argument, 'a tfjs-layers LayersModel', describe(model));
  // tfjs-layers' read() itself throws on a disposed weight.
  const disposed = model.weights.some((w) => {
    try {
      return w.read().isDisposed;
    } catch {
      return true;
    }
  });
  if (disposed) throw disposedPart(argument);
}

/**
 * Disposes a network that its model owns, even when some of its layers were already disposed behind the model's
 * back (tfjs-layers then throws part-way): every layer still alive is freed, and nothing is thrown.
 */
export function disposeNetwork(model: tfl.LayersModel): void {
  try {
    model.dispose();
  } catch {
    for (const layer of model.layers) {
      try {
        layer.dispose();
      } catch {
        // Already disposed.
      }
    }
  }
}

/**
 * Disposes an optimizer its model owns. tfjs 4.22's MomentumOptimizer overrides `dispose` without freeing the
 * learning-rate scalar `c` it inherits from SGD, so that one is freed here too (disposing it twice is harmless).
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const c = (optimizer as unknown as { c?: unknown }).c;
  if (c instanceof tf.Tensor) c.dispose();
}
