/**
 * What the active tfjs backend can do for training: its float textures, the Adam ε that is safe on it, whether it
 * can differentiate twice (gradient penalties), and which kernels of this library's layers it lacks.
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ValueError } from '../errors';
import { describe } from '../internal/describe';
import { assertOptions } from '../internal/options';
import { LIBRARY_LAYERS, layerKernels } from './kernels';

/**
 * The float format of a webgl backend's textures; `'n/a'` on other backends, which compute in float32.
 *
 * @example
 * ```ts
 * const { textureFloat } = probeBackend({ secondDerivatives: false });
 * if (textureFloat === 'float16') console.warn('this GPU renders float16 textures: pass Adam an epsilon of 1e-4');
 * ```
 * @group Backends
 */
export type TextureFloat = 'float32' | 'float16' | 'n/a';

/**
 * One op of {@link BackendCapabilities.secondDerivatives}: whether d/dw ‖∂f/∂x‖² could be computed through it.
 *
 * @example
 * ```ts
 * // { op: 'leakyRelu', ok: false, error: 'Cannot compute gradient: gradient function not found for Greater.' }
 * const failed = probeBackend().secondDerivatives?.checks.filter((c) => !c.ok);
 * ```
 * @group Backends
 */
export interface SecondDerivativeCheck {
  /** The tfjs op, e.g. `'leakyRelu'`. */
  readonly op: string;
  /** Whether the mixed second derivative ran. */
  readonly ok: boolean;
  /** The error tfjs threw, when it did not. */
  readonly error?: string;
}

/**
 * Whether gradient penalties (WGAN-GP, R1), which differentiate a gradient again, can train on the backend.
 *
 * @example
 * ```ts
 * const { supported, checks } = probeBackend().secondDerivatives!;
 * ```
 * @group Backends
 */
export interface SecondDerivativeReport {
  /** True when every op in `checks` could be differentiated twice. */
  readonly supported: boolean;
  /** One entry per op tried. */
  readonly checks: readonly SecondDerivativeCheck[];
}

/**
 * What {@link probeBackend} found.
 *
 * @example
 * ```ts
 * // { backend: 'webgl', webglVersion: 2, textureFloat: 'float32', defaultEpsilon: 0.0001, safeEpsilon: 1e-7, ... }
 * const caps = probeBackend();
 * ```
 * @group Backends
 */
export interface BackendCapabilities {
  /** The active backend, `tf.getBackend()`. */
  readonly backend: string;
  /** 1 or 2 on the webgl backend (`WEBGL_VERSION`), 0 elsewhere. */
  readonly webglVersion: number;
  /**
   * Whether webgl renders to float32 textures (`WEBGL_RENDER_FLOAT32_ENABLED`) or only float16 ones; `'n/a'` for
   * other backends.
   */
  readonly textureFloat: TextureFloat;
  /**
   * The ε tfjs optimizers use when none is passed, `tf.backend().epsilon()`. tfjs 4.22's webgl reports 1e-4 even on
   * float32 textures, so an optimizer built without ε differs from one built on cpu (1e-7): pass ε explicitly.
   */
  readonly defaultEpsilon: number;
  /**
   * The ε this library recommends for Adam here: 1e-7 where the backend computes in float32, 1e-4 on float16
   * textures, where 1e-7 is below the smallest normal float16 (6.1e-5) and the update loses all precision.
   */
  readonly safeEpsilon: number;
  /** Second-derivative checks, or `null` when `options.secondDerivatives` was false. */
  readonly secondDerivatives: SecondDerivativeReport | null;
  /** Kernels that this library's layers need for training and the backend does not register, sorted. */
  readonly missingKernels: readonly string[];
  /** Layer classes of this library's factories that cannot train on the backend because of `missingKernels`. */
  readonly untrainableLayers: readonly string[];
}

/**
 * Options of {@link probeBackend}.
 *
 * @example
 * ```ts
 * const caps = probeBackend({ secondDerivatives: false }); // skips the shader compiles on webgl
 * ```
 * @group Backends
 */
export interface ProbeOptions {
  /**
   * Run the second-derivative checks: a few tiny ops, but on webgl each compiles its shaders, which takes a moment.
   * @defaultValue `true`
   */
  readonly secondDerivatives?: boolean;
}

const FLOAT32_EPSILON = 1e-7;
const FLOAT16_EPSILON = 1e-4;

/**
 * Adam's ε for the active backend: 1e-7, or 1e-4 where webgl renders only float16 textures (1e-7 underflows there).
 * The models' default optimizers use it, so a run on float32 hardware matches cpu and one on float16 stays finite.
 * @internal
 */
export function safeEpsilon(): number {
  return tf.getBackend() === 'webgl' && flag('WEBGL_RENDER_FLOAT32_ENABLED') === false ? FLOAT16_EPSILON : FLOAT32_EPSILON;
}

function flag(name: string): number | boolean | undefined {
  try {
    return tf.env().get(name) as number | boolean;
  } catch {
    return undefined; // the flag is only registered where its backend package is imported
  }
}

/** Each check is f(x; w) whose d/dw ‖∂f/∂x‖² a gradient penalty would need, as in D(x) = op(x·W). */
const SECOND_DERIVATIVE_OPS: Readonly<Record<string, (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor>> = {
  matMul: (x, w) => tf.matMul(x, w),
  relu: (x, w) => tf.relu(tf.matMul(x, w)),
  leakyRelu: (x, w) => tf.leakyRelu(tf.matMul(x, w), 0.2),
  sigmoid: (x, w) => tf.sigmoid(tf.matMul(x, w)),
  tanh: (x, w) => tf.tanh(tf.matMul(x, w)),
  softplus: (x, w) => tf.softplus(tf.matMul(x, w)),
  conv2d: (x, w) =>
    tf.conv2d(tf.reshape(x, [1, 4, 4, 1]) as tf.Tensor4D, tf.reshape(tf.slice(w, [0, 0], [3, 3]), [3, 3, 1, 1]) as tf.Tensor4D, 1, 'same'),
};

function secondDerivative(op: string, f: (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor): SecondDerivativeCheck {
  try {
    tf.tidy(() => {
      const x = tf.tensor2d([0.5, -0.3, 1.2, -2, 0.1, 0.7, -0.9, 0.4, 1.5, -1.1, 0.2, -0.6, 0.8, 0.3, -0.2, 1], [4, 4]);
      const w = tf.tensor2d([0.3, -0.2, 0.5, 0.1, -0.4, 0.6, 0.2, -0.1, 0.7, 0.1, -0.3, 0.2, 0.05, -0.5, 0.4, 0.3], [4, 4]);
      const penalty = (wv: tf.Tensor): tf.Scalar => {
        const dx = tf.grad((xv: tf.Tensor) => tf.sum(f(xv as tf.Tensor2D, wv as tf.Tensor2D)))(x);
        return tf.sum(tf.square(dx));
      };
      tf.grad(penalty)(w); // returned nothing, so the tidy disposes the gradient too
    });
    return { op, ok: true };
  } catch (e) {
    releaseFailedTape();
    return { op, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * tfjs-core 4.22's `engine.gradients` frees the gradient tape (and the tensors its nodes saved for backprop) only when
 * backprop succeeds; a missing gradient or kernel leaves them behind, 14 tensors per failed check here. This frees
 * them as tfjs would have, and only outside any gradient computation.
 */
function releaseFailedTape(): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || state.activeTape == null) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  (state as { activeTape: unknown }).activeTape = null;
}

/**
 * Reports what the active backend can do for training, for choosing numerics and failing early with a clear message:
 * its float textures, the Adam ε it would default to and the one that is safe on it, whether gradient penalties can
 * differentiate through the usual activations, and which kernels of this library's layers it lacks (stock wasm has no
 * `Conv2DBackpropFilter`, so convolutional networks cannot train on it).
 *
 * Synchronous; call it after `await tf.setBackend(...)` or `await tf.ready()`. It leaves no tensors behind.
 *
 * @param options - whether to run the second-derivative checks
 * @returns the capabilities of `tf.getBackend()`
 * @throws {@link ValueError} when the backend is still initialising
 *
 * @example
 * ```ts
 * await tf.setBackend('webgl');
 * const caps = probeBackend();
 * const optimizer = tf.train.adam(2e-4, 0.5, 0.999, caps.safeEpsilon);
 * if (caps.untrainableLayers.length > 0) console.warn(`${caps.backend} lacks ${caps.missingKernels.join(', ')}`);
 * ```
 * @group Backends
 */
export function probeBackend(options: ProbeOptions = {}): BackendCapabilities {
  assertOptions(options, ['secondDerivatives'], 'options', 'ProbeOptions');
  const runSecondDerivatives = options.secondDerivatives ?? true;
  if (typeof runSecondDerivatives !== 'boolean') {
    throw new ConfigError('options.secondDerivatives', 'a boolean', describe(runSecondDerivatives));
  }
  let defaultEpsilon: number;
  try {
    defaultEpsilon = tf.backend().epsilon(); // also makes tfjs pick a backend if none was set
  } catch (e) {
    const received = e instanceof Error ? e.message : String(e);
    throw new ValueError('backend', 'an initialised backend (await tf.ready() first)', received);
  }
  const backendName = tf.getBackend();
  const isWebgl = backendName === 'webgl';
  const webglVersion = isWebgl ? Number(flag('WEBGL_VERSION') ?? 0) : 0;
  const textureFloat: TextureFloat = !isWebgl ? 'n/a' : flag('WEBGL_RENDER_FLOAT32_ENABLED') === true ? 'float32' : 'float16';

  const have = new Set(tf.getKernelsForBackend(backendName).map((k) => k.kernelName));
  const missing = new Set<string>();
  const untrainable = new Set<string>();
  for (const [layer, activation] of LIBRARY_LAYERS) {
    const lacking = (layerKernels(layer, activation) ?? []).filter((k) => !have.has(k));
    if (lacking.length > 0) untrainable.add(layer);
    lacking.forEach((k) => missing.add(k));
  }

  let secondDerivatives: SecondDerivativeReport | null = null;
  if (runSecondDerivatives) {
    const checks = Object.entries(SECOND_DERIVATIVE_OPS).map(([op, f]) => secondDerivative(op, f));
    secondDerivatives = { supported: checks.every((c) => c.ok), checks };
  }
  return {
    backend: backendName,
    webglVersion,
    textureFloat,
    defaultEpsilon,
    safeEpsilon: textureFloat === 'float16' ? FLOAT16_EPSILON : FLOAT32_EPSILON,
    secondDerivatives,
    missingKernels: [...missing].sort(),
    untrainableLayers: [...untrainable].sort(),
  };
}
