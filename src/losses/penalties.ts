import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, ValueError } from '../errors';
import { assertOptions } from '../internal/options';
import { assertFloat, assertTensor, describe, formatShape, sameShape } from '../internal/shapes';
import { assertSeed, opSeed } from '../random';
import type { LossResult } from './minimax';
import { assertLossOptions, reduceLoss, resolveReduction, type Reduction, type ReductionOptions } from './reduction';

/**
 * The discriminator as a function for penalties: a batch of inputs `[batch, ...]` in, its outputs (logits or critic
 * scores, `[batch, ...]`) out. Each example's outputs must depend on that example alone, so no batch normalisation
 * in training mode (use layer normalisation or none, as Gulrajani et al. advise).
 *
 * @example
 * ```ts
 * const d: CriticFn = (x) => discriminator.apply(x, { training: true }) as tf.Tensor;
 * const penalty = r1Penalty(d, realBatch);
 * ```
 * @group Losses
 */
export type CriticFn = (x: tf.Tensor) => tf.Tensor;

/**
 * Options of {@link wassersteinGradientPenalty}.
 *
 * @example
 * ```ts
 * const c = (x: tf.Tensor) => criticModel.apply(x, { training: true }) as tf.Tensor;
 * const penalty = wassersteinGradientPenalty(c, real, fake, { lambda: 10, oneSided: true, seed: 1 });
 * ```
 * @group Losses
 */
export interface GradientPenaltyOptions<R extends Reduction = Reduction> extends ReductionOptions {
  /**
   * λ, the penalty's weight.
   * @defaultValue `10` (Gulrajani et al.)
   */
  readonly lambda?: number;
  /**
   * The gradient norm the penalty pulls towards: each example's term is (‖∇‖ / target − 1)².
   * @defaultValue `1`
   */
  readonly target?: number;
  /**
   * Penalise only norms above the target, max(0, ‖∇‖ / target − 1)² (TF-GAN's `one_sided`).
   * @defaultValue `false`
   */
  readonly oneSided?: boolean;
  /** Seed of the interpolation coefficients ε, any safe integer; omitted, they differ on every call. */
  readonly seed?: number;
  /** @defaultValue `'mean'` */
  readonly reduction?: R;
}

/**
 * Options of {@link r1Penalty}.
 *
 * @example
 * ```ts
 * const d = (x: tf.Tensor) => discriminator.apply(x, { training: true }) as tf.Tensor;
 * const penalty = r1Penalty(d, realBatch, { gamma: 0.1 });
 * ```
 * @group Losses
 */
export interface R1PenaltyOptions<R extends Reduction = Reduction> extends ReductionOptions {
  /**
   * γ: the penalty is γ/2 · ‖∇‖².
   * @defaultValue `10`
   */
  readonly gamma?: number;
  /** @defaultValue `'mean'` */
  readonly reduction?: R;
}

/**
 * Options of {@link checkSecondDerivative}.
 *
 * @example
 * ```ts
 * const c = (x: tf.Tensor) => criticModel.apply(x, { training: true }) as tf.Tensor;
 * checkSecondDerivative(c, realBatch, { variables: criticVariables });
 * ```
 * @group Losses
 */
export interface SecondDerivativeCheckOptions {
  /**
   * The critic's trainable variables; omitted, every trainable variable tfjs knows of is tried (those the critic
   * does not use get no gradient).
   */
  readonly variables?: readonly tf.Variable[];
}

/** Added under the square root so that a zero gradient has a finite derivative (TF-GAN's `epsilon`). */
const NORM_EPSILON = 1e-10;

function assertCritic(critic: unknown): asserts critic is CriticFn {
  if (typeof critic !== 'function')
    throw new ValueError('critic', 'a function from inputs to outputs', describe(critic));
}

function assertData(x: unknown, argument: string): asserts x is tf.Tensor {
  assertTensor(x, argument);
  assertFloat(x, argument);
  if (x.rank < 1 || (x.shape[0] ?? 0) < 1)
    throw new ShapeError(argument, 'shape [batch>=1, ...]', formatShape(x.shape));
}

function positive(value: unknown, fallback: number, argument: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value < Infinity)) {
    throw new ConfigError(argument, 'a finite number >= 0', describe(value));
  }
  return value;
}

/**
 * Σ over each example's features of (∂ Σ critic(x) / ∂x)², shape `[batch]`. Summing the outputs before
 * differentiating gives each example its own gradient because examples do not mix inside the critic. The gradient
 * is taken with `tf.grad`, so when this runs inside an outer `tf.variableGrads` (an optimizer's `minimize`) the
 * ops of the backward pass are recorded too and the outer pass differentiates them: double back-propagation.
 */
function inputGradientSquares(critic: CriticFn, x: tf.Tensor): tf.Tensor {
  const batch = x.shape[0]!;
  const gradient = tf.grad((input: tf.Tensor) => {
    const out: unknown = critic(input);
    if (!(out instanceof tf.Tensor) || out.dtype !== 'float32' || out.rank < 1 || out.shape[0] !== batch) {
      const received = out instanceof tf.Tensor ? `${out.dtype} ${formatShape(out.shape)}` : describe(out);
      throw new ShapeError(
        'critic',
        `a function returning float32 outputs [${batch}, ...] for ${batch} inputs`,
        received,
      );
    }
    return tf.sum(out);
  })(x);
  const featureAxes = x.shape.map((_, i) => i).slice(1);
  const squares = tf.square(gradient);
  return featureAxes.length === 0 ? squares : tf.sum(squares, featureAxes);
}

/**
 * The WGAN-GP gradient penalty of Gulrajani et al. (2017): λ · E[(‖∇x̂ D(x̂)‖₂ − 1)²] on random interpolates
 * x̂ = ε·x + (1 − ε)·G(z), one ε ~ U[0, 1] per example. Add it to the critic's loss
 * ({@link wassersteinDiscriminatorLoss}) to keep the critic near 1-Lipschitz without clipping its weights.
 *
 * The gradient is taken with `tf.grad` inside, so calling this inside `optimizer.minimize` (or `tf.variableGrads`)
 * gives the critic's weights the penalty's gradient. That differentiates the critic twice: build it from ops tfjs
 * differentiates twice correctly (dense and conv layers, `tf.relu`, softplus, {@link SafeLeakyReLU}), and call
 * {@link checkSecondDerivative} once before training. tfjs cannot differentiate `tf.leakyRelu`'s gradient at all,
 * and it silently drops part of the second derivative of tanh, sigmoid, exp, elu and softmax (see
 * {@link checkSecondDerivative}).
 *
 * @param critic - D as a function of a batch of inputs (see {@link CriticFn})
 * @param realData - real examples `[batch, ...]`, float32
 * @param fakeData - generated examples of the same shape
 * @param options - λ, target norm, one-sided, seed and reduction
 * @returns the penalty as a scalar, or the per-example terms `[batch]` (already times λ) with `reduction: 'none'`
 * @throws {@link ShapeError} for data of different shapes or a critic whose outputs are not `[batch, ...]`;
 *   {@link ConfigError} for bad options; `ValueError` for a seed that is not a safe integer
 * @see https://arxiv.org/abs/1704.00028
 *
 * @example
 * ```ts
 * const critic = (x: tf.Tensor) => criticModel.apply(x, { training: true }) as tf.Tensor;
 * optimizer.minimize(() => tf.add(
 *   wassersteinDiscriminatorLoss(critic(real), critic(fake)),
 *   wassersteinGradientPenalty(critic, real, fake, { lambda: 10, seed: 7 }),
 * ) as tf.Scalar, false, criticVariables);
 * ```
 * @group Losses
 */
export function wassersteinGradientPenalty<R extends Reduction = 'mean'>(
  critic: CriticFn,
  realData: tf.Tensor,
  fakeData: tf.Tensor,
  options: GradientPenaltyOptions<R> = {},
): LossResult<R> {
  assertCritic(critic);
  assertData(realData, 'realData');
  assertData(fakeData, 'fakeData');
  if (!sameShape(realData.shape, fakeData.shape)) {
    throw new ShapeError(
      'fakeData',
      `shape ${formatShape(realData.shape)} (the realData shape)`,
      formatShape(fakeData.shape),
    );
  }
  assertLossOptions(options, ['lambda', 'target', 'oneSided', 'seed', 'reduction'], 'GradientPenaltyOptions');
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  const lambda = positive(options.lambda, 10, 'options.lambda');
  const target = positive(options.target, 1, 'options.target');
  if (target === 0) throw new ConfigError('options.target', 'a finite number > 0', '0');
  if (options.oneSided !== undefined && typeof options.oneSided !== 'boolean') {
    throw new ConfigError('options.oneSided', 'a boolean', describe(options.oneSided));
  }
  if (options.seed !== undefined) assertSeed(options.seed, 'options.seed', 'value');
  const seed = options.seed === undefined ? undefined : opSeed(options.seed);
  return tf.tidy(() => {
    const epsilonShape = realData.shape.map((d, i) => (i === 0 ? d : 1));
    const epsilon = tf.randomUniform(epsilonShape, 0, 1, 'float32', seed); // [batch, 1, ...]
    const interpolates = tf.add(fakeData, tf.mul(epsilon, tf.sub(realData, fakeData)));
    const slopes = tf.sqrt(tf.add(inputGradientSquares(critic, interpolates), NORM_EPSILON)); // [batch]
    const excess = tf.sub(tf.div(slopes, target), 1);
    const terms = tf.square(options.oneSided === true ? tf.relu(excess) : excess);
    return tf.mul(lambda, reduceLoss(terms, undefined, reduction));
  }) as LossResult<R>;
}

/**
 * The R1 penalty of Mescheder et al. (2018): γ/2 · E[‖∇x D(x)‖²] on real data, which keeps D flat on the data
 * manifold and makes non-saturating GAN training converge locally. Add it to the discriminator's loss. Passing
 * generated examples instead gives the R2 penalty.
 *
 * Like {@link wassersteinGradientPenalty} it differentiates the discriminator twice: see there for what that needs.
 *
 * @param critic - D as a function of a batch of inputs (see {@link CriticFn})
 * @param realData - real examples `[batch, ...]`, float32
 * @param options - γ and reduction
 * @returns the penalty as a scalar, or the per-example terms `[batch]` (already times γ/2) with `reduction: 'none'`
 * @throws {@link ShapeError} for bad data or a critic whose outputs are not `[batch, ...]`; {@link ConfigError} for
 *   bad options
 * @see https://arxiv.org/abs/1801.04406
 *
 * @example
 * ```ts
 * const d = (x: tf.Tensor) => discriminator.apply(x, { training: true }) as tf.Tensor;
 * optimizer.minimize(() => tf.add(
 *   minimaxDiscriminatorLoss(d(real), d(fake)),
 *   r1Penalty(d, real, { gamma: 10 }),
 * ) as tf.Scalar, false, discriminatorVariables);
 * ```
 * @group Losses
 */
export function r1Penalty<R extends Reduction = 'mean'>(
  critic: CriticFn,
  realData: tf.Tensor,
  options: R1PenaltyOptions<R> = {},
): LossResult<R> {
  assertCritic(critic);
  assertData(realData, 'realData');
  assertLossOptions(options, ['gamma', 'reduction'], 'R1PenaltyOptions');
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  const gamma = positive(options.gamma, 10, 'options.gamma');
  return tf.tidy(() =>
    tf.mul(gamma / 2, reduceLoss(inputGradientSquares(critic, realData), undefined, reduction)),
  ) as LossResult<R>;
}

/**
 * Kernels whose gradient reads their saved output. tfjs records the copy it saves of an output on its tape before
 * the kernel that produced it, so when it differentiates that gradient again the copy is not connected to the
 * kernel's inputs and every term through it is dropped, without an error (tensorflow/tfjs#3252 shows the input
 * side; the weight side gives a wrong gradient). A critic with one of these gets a silently wrong penalty gradient.
 */
const SAVED_OUTPUT_KERNELS = new Set(['Tanh', 'Sigmoid', 'Exp', 'Softmax', 'LogSoftmax', 'Elu', 'Pow', 'LRN']);

const SAFE_OPS = 'dense and conv layers, tf.relu, softplus and the SafeLeakyReLU layer are safe';

/** What to use instead of the op a failed second derivative names. */
function replacementFor(op: string): string {
  if (/^(Greater|GreaterEqual|Less|LessEqual|Select|LogicalAnd)$/.test(op)) {
    return (
      `tf.leakyRelu (and tfjs-layers' leakyReLU layer), tf.prelu, tf.selu, tf.maximum, tf.minimum, tf.clipByValue and ` +
      `tf.where compare values in their gradients, which tfjs cannot differentiate. Use safeLeakyRelu or the ` +
      `SafeLeakyReLU layer from tfjs-generative instead (${SAFE_OPS}).`
    );
  }
  if (SAVED_OUTPUT_KERNELS.has(op) || op === 'EluGrad') {
    return (
      `tfjs drops the terms of ${op}'s second derivative that go through its output (tanh, sigmoid, exp, elu, ` +
      `softmax, pow), so the penalty's gradient would be silently wrong. Use the SafeLeakyReLU layer, tf.relu or ` +
      `softplus in the discriminator (${SAFE_OPS}).`
    );
  }
  if (/Pool/.test(op))
    return `Pooling cannot be differentiated twice in tfjs: downsample with strided convolutions (${SAFE_OPS}).`;
  return `Replace the layer or op that uses ${op} (${SAFE_OPS}).`;
}

function secondDerivativeError(message: string): ConfigError | undefined {
  const op = /gradient function not found for (\w+)/.exec(message)?.[1];
  if (op !== undefined) {
    return new ConfigError(
      'critic',
      'a discriminator tfjs can differentiate twice (a gradient penalty back-propagates through its input gradient)',
      `one whose gradient uses ${op}, for which tfjs has no gradient`,
      replacementFor(op),
    );
  }
  const kernel = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(message);
  if (kernel !== null) {
    const hint =
      kernel[2] === 'wasm' && kernel[1]!.startsWith('Conv2DBackprop')
        ? "Call installWasmTrainingKernels() from 'tfjs-generative/wasm' first."
        : 'Use a backend that has it (cpu, or tensorflow with tfjs-node).';
    return new ConfigError(
      'critic',
      `a discriminator whose second derivative the '${kernel[2]}' backend can compute`,
      `one that needs the kernel ${kernel[1]}, which this backend lacks`,
      hint,
    );
  }
  return undefined;
}

/** The kernels recorded on the active gradient tape by `f`, and its result. */
function recordingKernels<T>(f: () => T, into: Set<string>): T {
  const tape: unknown = tf.engine().state.activeTape;
  const start = Array.isArray(tape) ? tape.length : 0;
  const result = f();
  if (Array.isArray(tape)) {
    for (const node of tape.slice(start) as { kernelName?: unknown }[]) {
      if (typeof node.kernelName === 'string') into.add(node.kernelName);
    }
  }
  return result;
}

/**
 * Checks once, before the first training step with {@link wassersteinGradientPenalty} or {@link r1Penalty}, that
 * tfjs can differentiate the critic twice, correctly, on the current backend. It takes the weight gradient of an
 * R1-style penalty on one example and discards it (no variable is written; a critic without trainable variables
 * passes), and it looks at the kernels the critic ran. tfjs's own errors ("gradient function not found for Greater",
 * "Kernel 'Conv2DBackpropFilter' not registered") would surface mid-step, and some ops (tanh, sigmoid, exp, elu,
 * softmax) give a wrong second derivative with no error at all; this turns each case into a {@link ConfigError} that
 * names the op (or the missing kernel) and what to use instead.
 *
 * The critic is called once (on the first example of `sampleInput`), so layers with state that changes per call
 * (batch normalisation's moving statistics in training mode, seeded dropout's draw count) see one extra call.
 *
 * @param critic - D as a function of a batch of inputs, as it will be given to the penalty
 * @param sampleInput - a batch of inputs `[batch, ...]` (only the first example is used); not disposed
 * @param options - the critic's variables, if known
 * @throws {@link ConfigError} naming the op (or the missing kernel) and a replacement, when the second derivative
 *   cannot be taken or would be wrong; other errors from the critic pass through unchanged
 *
 * @example
 * ```ts
 * const critic = (x: tf.Tensor) => criticModel.apply(x, { training: true }) as tf.Tensor;
 * checkSecondDerivative(critic, realBatch); // throws before training if tfl.layers.leakyReLU is in the critic
 * ```
 * @group Losses
 */
export function checkSecondDerivative(
  critic: CriticFn,
  sampleInput: tf.Tensor,
  options: SecondDerivativeCheckOptions = {},
): void {
  assertCritic(critic);
  assertData(sampleInput, 'sampleInput');
  assertOptions(options, ['variables'], 'options', 'SecondDerivativeCheckOptions');
  const variables = options.variables;
  if (
    variables !== undefined &&
    (!Array.isArray(variables) || variables.length === 0 || !variables.every((v) => v instanceof tf.Variable))
  ) {
    throw new ConfigError('options.variables', 'a non-empty array of tf.Variable', describe(variables));
  }
  const kernels = new Set<string>();
  try {
    tf.tidy(() => {
      const x = tf.slice(sampleInput, 0, 1);
      const penalty = () => recordingKernels(() => tf.sum(inputGradientSquares(critic, x)) as tf.Scalar, kernels);
      try {
        tf.variableGrads(penalty, variables === undefined ? undefined : [...variables]);
      } catch (e) {
        // A critic without (trainable) variables has nothing a penalty could train; tfjs says so in one of two ways,
        // the second when no trainable variable exists at all.
        const nothingToTrain =
          /Cannot find a connection between any variable|expects at least one of the input variables to be trainable/;
        if (!(e instanceof Error && nothingToTrain.test(e.message))) throw e;
      }
    });
  } catch (e) {
    throw secondDerivativeError(e instanceof Error ? e.message : String(e)) ?? e;
  }
  const wrong = [...kernels].find((k) => SAVED_OUTPUT_KERNELS.has(k));
  if (wrong !== undefined) {
    throw new ConfigError(
      'critic',
      'a discriminator tfjs differentiates twice correctly (a gradient penalty back-propagates through its input gradient)',
      `one that uses ${wrong}, whose second derivative tfjs gets wrong without an error`,
      replacementFor(wrong),
    );
  }
}
