import * as tf from '@tensorflow/tfjs-core';
import { safeEpsilon } from '../../backends/probe';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../errors';
import { assertOptions } from '../../internal/options';
import { assertPositiveInteger, describe } from '../../internal/shapes';
import { nonSaturating, type GANObjective } from './objective';
import { assertSeed } from '../../random';
import type { NonFinitePolicy } from '../../internal/atomic-step';

export type { NonFinitePolicy };

/**
 * The range `[min, max]` of the data a {@link GAN} trains on, or `'any'` to skip the range check.
 *
 * @example
 * ```ts
 * // A linear output has no range to infer: say which one the data has.
 * const gan = new GAN({ dataRange: [-1, 1] }, { generator: mlpGenerator({ outputActivation: 'linear' }) });
 * ```
 * @group Models
 */
export type DataRange = readonly [min: number, max: number] | 'any';

/**
 * How many updates of each network one {@link GAN.trainStep} makes, discriminator first (TF-GAN's `GANTrainSteps`).
 * Elsewhere in the library "steps" always count train steps: `FitOptions.steps`, `BetaWarmup.steps`.
 *
 * @example
 * ```ts
 * const updates: GANUpdates = { discriminator: 5, generator: 1 };
 * const gan = new GAN({ objective: wassersteinGp(), updates }); // give the Trainer batches of 5 × 64
 * ```
 * @group Models
 */
export interface GANUpdates {
  /** @defaultValue `1` */
  readonly discriminator?: number;
  /** @defaultValue `1` */
  readonly generator?: number;
}

/**
 * Configuration of a {@link GAN}. Every field is optional; the defaults train the recommended MNIST recipe.
 *
 * @example
 * ```ts
 * const config: GANConfig = { seed: 1, latentDim: 64, objective: hinge(), ema: { decay: 0.999 } };
 * const gan = new GAN(config);
 * ```
 * @group Models
 */
export interface GANConfig {
  /**
   * Size of the latent vector z ~ N(0, I). With an injected generator it is read from the generator's input shape,
   * and a different value here is an error.
   * @defaultValue `100`
   */
  readonly latentDim?: number;
  /**
   * Shape of one data example, used to build the default networks; ignored (but checked) when networks are given.
   * @defaultValue `[784]`
   */
  readonly dataShape?: readonly number[];
  /**
   * Seed of everything random in the model: default network weights, dropout masks, the noise of each step and of
   * {@link GAN.sample}. The same seed and data replay the same run on the same backend. Any safe integer; all 53 bits
   * count, so 1 and 2^32 + 1 are different runs.
   * @defaultValue a random seed
   */
  readonly seed?: number;
  /**
   * Optimizer of the generator; the GAN owns it and disposes it. Its hyper-parameters are checked at construction
   * (finite in float32, learning rate >= 0, ε > 0 in float32, β in [0, 1)), so `tf.train.adam(NaN)` or
   * `tf.train.sgd(1e39)` (Infinity in float32) is a {@link ConfigError} naming
   * `config.generatorOptimizer.learningRate`.
   * @defaultValue `tf.train.adam(2e-4, 0.5, 0.999, 1e-7)` (ε 1e-4 on float16-only webgl devices)
   */
  readonly generatorOptimizer?: tf.Optimizer;
  /**
   * Optimizer of the discriminator; the GAN owns it and disposes it. Its hyper-parameters are checked at construction
   * (finite in float32, learning rate >= 0, ε > 0 in float32, β in [0, 1)), so `tf.train.adam(NaN)` or
   * `tf.train.sgd(1e39)` (Infinity in float32) is a {@link ConfigError} naming
   * `config.discriminatorOptimizer.learningRate`.
   * @defaultValue `tf.train.adam(2e-4, 0.5, 0.999, 1e-7)` (ε 1e-4 on float16-only webgl devices)
   */
  readonly discriminatorOptimizer?: tf.Optimizer;
  /**
   * The losses both networks minimise, from everything an update has (real batch, fakes, D's outputs, a way to
   * evaluate D); see {@link GANObjective}. Build one from logits-only losses with {@link logitObjective}.
   * @defaultValue {@link nonSaturating}: the article's L_D = −log D(x) − log(1 − D(G(z))) and L_G = −log D(G(z))
   */
  readonly objective?: GANObjective;
  /**
   * Updates per train step. With `discriminator: k > 1`, each step's real batch is split into k parts along axis 0,
   * one per discriminator update (as WGAN critics train: each update on its own real examples), so give the Trainer
   * batches of k times the size one update should see. Generator updates use the size of one part.
   * @defaultValue `{ discriminator: 1, generator: 1 }`
   */
  readonly updates?: GANUpdates;
  /**
   * What a training step that produces NaN or ±Infinity does; see {@link NonFinitePolicy}.
   * @defaultValue `'throw'`
   */
  readonly nonFinite?: NonFinitePolicy;
  /**
   * The range every real batch must lie in, `[min, max]`: a batch with a value outside it is rejected before any
   * weight changes, since D would tell real from fake by the range alone (MNIST in [0, 255] against a tanh generator).
   * `'any'` turns the check off, for a custom generator whose output range is not known from its last layer.
   * @defaultValue the generator's output range, read from its last activation: `[-1, 1]` for tanh, `[0, 1]` for
   *   sigmoid, unchecked otherwise
   */
  readonly dataRange?: DataRange;
  /**
   * Keep an exponential moving average of the generator's weights (batch-norm statistics included), updated after
   * every step: ema ← decay·ema + (1 − decay)·w. Samples then come from the averaged weights by default, which are
   * smoother than the last step's (Karras et al., 2018; Yazıcı et al., 2019).
   * @defaultValue off
   */
  readonly ema?: EMAOptions;
  /**
   * Number of classes of a class-conditional GAN. With the default networks it builds conditional MLPs (labels in by
   * one-hot concatenation; the discriminator gets an auxiliary classifier when the objective reads class logits, as
   * {@link acgan} does); with given networks it is read from the generator's label input, and a different value here
   * is an error. A conditional GAN trains on {@link LabelledBatch}es and samples with `labels`.
   * @defaultValue unconditional, or the generator's label size
   */
  readonly classes?: number;
}

/**
 * Generator weight averaging for {@link GANConfig.ema}.
 *
 * @example
 * ```ts
 * const gan = new GAN({ ema: { decay: 0.999 } });
 * const smooth = gan.sample(64); // from the averaged weights
 * const raw = gan.sample(64, { ema: false }); // from the trained weights
 * ```
 * @group Models
 */
export interface EMAOptions {
  /** Weight of the old average at each step, in (0, 1): 0.999 averages over about the last 1,000 steps. */
  readonly decay: number;
}

/**
 * The networks of a {@link GAN}; each one omitted is built from the recommended MLP recipe.
 *
 * @example
 * ```ts
 * const networks: GANNetworks = { generator: dcganGenerator({ seed: 1 }), discriminator: dcganDiscriminator({ seed: 2 }) };
 * const gan = new GAN({ seed: 1 }, networks);
 * ```
 * @group Models
 */
export interface GANNetworks {
  /** Maps z `[batch, latentDim]` to examples `[batch, ...dataShape]`. */
  readonly generator?: tfl.LayersModel;
  /** Maps examples `[batch, ...dataShape]` to logits (any shape with a leading batch axis, e.g. `[batch, 1]`). */
  readonly discriminator?: tfl.LayersModel;
}

/** A checked {@link GANConfig} with defaults filled in; shapes stay unset until the networks are known. */
export interface ResolvedGANConfig {
  readonly latentDim: number | undefined;
  readonly dataShape: readonly number[] | undefined;
  readonly seed: number | undefined;
  readonly objective: GANObjective;
  readonly discriminatorUpdates: number;
  readonly generatorUpdates: number;
  readonly nonFinite: NonFinitePolicy;
  /** `[min, max]`, `'any'`, or undefined: infer it from the generator's last activation. */
  readonly dataRange: readonly [number, number] | 'any' | undefined;
  /** The EMA decay, or undefined when off. */
  readonly emaDecay: number | undefined;
  /** The configured number of classes, or undefined. */
  readonly classes: number | undefined;
}

const KNOWN_KEYS = new Set<string>([
  'latentDim',
  'dataShape',
  'seed',
  'generatorOptimizer',
  'discriminatorOptimizer',
  'objective',
  'updates',
  'nonFinite',
  'dataRange',
  'ema',
  'classes',
]);

const UPDATE_KEYS = ['discriminator', 'generator'];

/**
 * The Adam settings of Radford et al. (2015), with ε pinned: webgl would otherwise use 1e-4 and drift from cpu. Only
 * float16-only webgl devices get 1e-4, where 1e-7 would underflow.
 */
export function defaultGanOptimizer(): tf.Optimizer {
  return tf.train.adam(2e-4, 0.5, 0.999, safeEpsilon());
}

/** Validates a config and fills in defaults, without touching the caller's object. */
export function resolveGanConfig(config: GANConfig): ResolvedGANConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError('config', 'an object', describe(config));
  }
  for (const key of Object.keys(config)) {
    if (KNOWN_KEYS.has(key)) continue;
    // Renamed in 0.1.0, so that "steps" always counts train steps.
    const hint = key === 'steps' ? 'Updates per train step are `updates: { discriminator, generator }`.' : undefined;
    throw new ConfigError(`config.${key}`, 'a known GANConfig field', 'an unknown field', hint);
  }
  if (config.latentDim !== undefined) assertPositiveInteger(config.latentDim, 'config.latentDim');
  if (config.dataShape !== undefined) {
    if (!Array.isArray(config.dataShape) || config.dataShape.length === 0) {
      throw new ConfigError('config.dataShape', 'a non-empty array of integers >= 1', describe(config.dataShape));
    }
    config.dataShape.forEach((d, i) => assertPositiveInteger(d, `config.dataShape[${i}]`));
  }
  if (config.seed !== undefined) assertSeed(config.seed, 'config.seed');
  for (const key of ['generatorOptimizer', 'discriminatorOptimizer'] as const) {
    const opt = config[key];
    if (opt !== undefined) assertOptimizer(opt, `config.${key}`);
  }
  if (config.generatorOptimizer !== undefined && config.generatorOptimizer === config.discriminatorOptimizer) {
    throw new ConfigError(
      'config.discriminatorOptimizer',
      'an optimizer other than config.generatorOptimizer',
      'the same instance',
      'Each network needs its own optimizer state (Adam moments).',
    );
  }
  if (config.objective !== undefined) assertObjective(config.objective);
  if (config.updates !== undefined) assertOptions(config.updates, UPDATE_KEYS, 'config.updates', 'GANUpdates');
  const discriminatorUpdates = config.updates?.discriminator ?? 1;
  const generatorUpdates = config.updates?.generator ?? 1;
  assertPositiveInteger(discriminatorUpdates, 'config.updates.discriminator');
  assertPositiveInteger(generatorUpdates, 'config.updates.generator');
  if (config.classes !== undefined) {
    assertPositiveInteger(config.classes, 'config.classes');
    if (config.classes < 2) throw new ConfigError('config.classes', 'an integer >= 2', String(config.classes));
  }
  return {
    latentDim: config.latentDim,
    dataShape: config.dataShape === undefined ? undefined : [...config.dataShape],
    seed: config.seed,
    objective: config.objective ?? nonSaturating(),
    discriminatorUpdates,
    generatorUpdates,
    nonFinite: resolveNonFinite(config.nonFinite),
    dataRange: resolveDataRange(config.dataRange),
    emaDecay: resolveEma(config.ema),
    classes: config.classes,
  };
}

function assertObjective(objective: unknown): asserts objective is GANObjective {
  const o = objective as Partial<GANObjective> | null;
  if (typeof o !== 'object' || o === null) {
    throw new ConfigError(
      'config.objective',
      'a GANObjective { generatorLoss, discriminatorLoss }',
      describe(objective),
    );
  }
  for (const key of ['generatorLoss', 'discriminatorLoss'] as const) {
    if (typeof o[key] !== 'function') throw new ConfigError(`config.objective.${key}`, 'a function', describe(o[key]));
  }
  if (o.output !== undefined && o.output !== 'logits' && o.output !== 'probabilities' && o.output !== 'critic') {
    throw new ConfigError('config.objective.output', "'logits', 'probabilities' or 'critic'", describe(o.output));
  }
  for (const key of ['auxiliaryClassifier'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') {
      throw new ConfigError(`config.objective.${key}`, 'a boolean', describe(o[key]));
    }
  }
  if (o.afterDiscriminatorUpdate !== undefined && typeof o.afterDiscriminatorUpdate !== 'function') {
    const received = describe(o.afterDiscriminatorUpdate);
    throw new ConfigError('config.objective.afterDiscriminatorUpdate', 'a function', received);
  }
}

function resolveEma(ema: unknown): number | undefined {
  if (ema === undefined) return undefined;
  assertOptions(ema, ['decay'], 'config.ema', 'EMAOptions');
  const decay = ema['decay'];
  if (typeof decay !== 'number' || !(decay > 0 && decay < 1)) {
    throw new ConfigError('config.ema.decay', 'a number in (0, 1)', describe(decay));
  }
  return decay;
}

/**
 * Checks a {@link NonFinitePolicy} option, `'throw'` when omitted.
 * @internal
 */
export function resolveNonFinite(value: unknown, argument = 'config.nonFinite'): NonFinitePolicy {
  if (value === undefined) return 'throw';
  if (value !== 'throw' && value !== 'skip' && value !== 'stop') {
    throw new ConfigError(argument, "'throw', 'skip' or 'stop'", describe(value));
  }
  return value;
}

function resolveDataRange(value: unknown): readonly [number, number] | 'any' | undefined {
  if (value === undefined || value === 'any') return value;
  const expected = "'any' or [min, max] with finite min < max";
  if (!Array.isArray(value) || value.length !== 2) throw new ConfigError('config.dataRange', expected, describe(value));
  const [min, max] = value as unknown[];
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!finite(min) || !finite(max) || !(min < max)) {
    throw new ConfigError('config.dataRange', expected, `[${describe(min)}, ${describe(max)}]`);
  }
  return [min, max];
}

/** Hyper-parameters that must lie in [0, 1): exponential decay rates of moment estimates. */
const UNIT_RATES = new Set(['beta1', 'beta2']);

/**
 * The numeric hyper-parameters tfjs-core's optimizers keep as own fields (Adam, Adamax, SGD, Momentum, RMSProp,
 * Adagrad, Adadelta in 4.22). They are read from the instance as well as from `getConfig()`, since the update reads
 * the fields, and a subclass may report something else or nothing.
 */
const HYPER_PARAMETERS = [
  'learningRate',
  'beta1',
  'beta2',
  'epsilon',
  'momentum',
  'rho',
  'decay',
  'initialAccumulatorValue',
] as const;

/** The largest finite float32, about 3.4e38: the update runs in float32, where a larger number is Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Whether `value` is a tf.Optimizer; tfjs's own `instanceof` check reads `value.minimize`, so null would throw. */
function isOptimizer(value: unknown): value is tf.Optimizer {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return value instanceof tf.Optimizer;
  } catch {
    return false; // a proxy or a getter that throws: not an optimizer this library can drive
  }
}

/** The optimizer's numeric hyper-parameters, from `getConfig()` and its own fields; the fields win. */
function hyperParameters(optimizer: tf.Optimizer): [string, number][] {
  const found = new Map<string, number>();
  try {
    const settings: unknown = optimizer.getConfig();
    if (typeof settings === 'object' && settings !== null) {
      for (const [key, value] of Object.entries(settings)) if (typeof value === 'number') found.set(key, value);
    }
  } catch {
    // A custom optimizer without getConfig: its own fields are all there is to read.
  }
  for (const key of HYPER_PARAMETERS) {
    const value = Object.getOwnPropertyDescriptor(optimizer, key)?.value as unknown;
    if (typeof value === 'number') found.set(key, value);
  }
  return [...found];
}

/**
 * Checks an optimizer given in a config: a `tf.Optimizer` whose hyper-parameters (read from `getConfig()` and from
 * the fields tfjs's optimizers keep) are all finite in float32, where the update runs (so 1e39, finite in float64, is
 * refused: it is Infinity in a step), with learningRate >= 0 (0 freezes a network), epsilon > 0 once rounded to
 * float32 (an ε that rounds to 0 divides by zero where a second moment is 0), β₁, β₂ and RMSProp's decay in [0, 1),
 * Adadelta's ρ in [0, 1], and momentum and the other decays >= 0. The ranges are those PyTorch's optimizers check.
 * @internal
 */
export function assertOptimizer(optimizer: unknown, argument: string): asserts optimizer is tf.Optimizer {
  if (!isOptimizer(optimizer)) throw new ConfigError(argument, 'a tf.Optimizer', describe(optimizer));
  let className: unknown;
  try {
    className = optimizer.getClassName();
  } catch {
    className = undefined;
  }
  for (const [key, value] of hyperParameters(optimizer)) {
    const name = `${argument}.${key}`;
    if (!Number.isFinite(Math.fround(value))) {
      const hint = Number.isFinite(value) ? 'The update runs in float32, where it is Infinity.' : undefined;
      throw new ConfigError(name, `a finite number in float32 (|x| <= ${FLOAT32_MAX})`, String(value), hint);
    }
    if (key === 'epsilon' && !(Math.fround(value) > 0)) {
      const hint = 'An epsilon that rounds to 0 in float32 divides by zero where a second moment is 0.';
      throw new ConfigError(name, 'a number > 0 in float32 (>= 1.4e-45)', String(value), hint);
    }
    const unitRate = UNIT_RATES.has(key) || (key === 'decay' && className === 'RMSProp');
    if (unitRate && !(value >= 0 && value < 1)) throw new ConfigError(name, 'a number in [0, 1)', String(value));
    if (key === 'rho' && !(value >= 0 && value <= 1)) throw new ConfigError(name, 'a number in [0, 1]', String(value));
    if (!unitRate && key !== 'rho' && key !== 'epsilon' && value < 0) {
      throw new ConfigError(name, 'a number >= 0', String(value));
    }
  }
}
