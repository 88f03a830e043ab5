import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { MLP_GAN_RECIPES, mlpDiscriminator, mlpGenerator } from '../../architectures/mlp';
import { KernelCheck } from '../../backends/kernels';
import { ConfigError, ShapeError, StateError, ValueError } from '../../errors';
import { AtomicStep, busyError, type StepOutput, type StepParts } from '../../internal/atomic-step';
import { inOrder } from '../../internal/optimizer-state';
import { NetworkParts } from '../../internal/network-state';
import { prepareOptimizerState, optimizerIsLive, readOptimizerState } from '../../internal/optimizer-state';
import {
  assertLiveNetwork,
  disposeNetwork,
  disposeOptimizer,
  disposedPart,
  scalarLoss,
} from '../../internal/model-checks';
import { checkCount, checkStateHeader, checkStream, streamState } from '../../internal/model-state';
import { assertOptions } from '../../internal/options';
import { claimBuilt, claimParts, releaseParts } from '../../internal/ownership';
import {
  assertFiniteInRange,
  assertFloat,
  assertCount,
  assertShape,
  assertTensor,
  describe,
  type ShapePattern,
  sizeOf,
} from '../../internal/shapes';
import { trainableVariables } from '../../internal/variables';
import { HeldValue, closeAbandonedTape } from '../../internal/engine';
import { restoreTensor, tensorState } from '../../internal/tensor-state';
import { checkSecondDerivative } from '../../losses/penalties';
import { SeedStream, assertSeed, opSeed } from '../../random';
import type { Trainable } from '../../training/trainable';
import { checkNetworks, dataExampleShape, generatorOutputShape, meanScore, outputRange, splitSizes } from './internal';
import type { AdversarialTerms } from './objective';
import type { GANState } from './state';
import {
  assertLabels,
  batchParts,
  oneHotLabels,
  readNetworkLabels,
  uniformLabels,
  type GANBatch,
  type NetworkLabels,
} from './labels';
import {
  defaultGanOptimizer,
  resolveGanConfig,
  type GANConfig,
  type GANNetworks,
  type ResolvedGANConfig,
} from './config';
import { inConfigTerms } from '../../internal/argument-error';

/**
 * What one {@link GAN.trainStep} reports, as plain numbers. The scores' meaning follows the objective's
 * {@link GANObjective.output}: mean probabilities in [0, 1] for a logits or probabilities D, mean critic values for a
 * Wasserstein critic.
 *
 * @example
 * ```ts
 * const logs: GANStepLogs = await gan.trainStep(realBatch);
 * console.log(logs.discriminatorLoss, logs.generatorLoss, logs.realScore, logs.fakeScore);
 * ```
 * @group Models
 */
export type GANStepLogs = {
  /** Discriminator loss of the step's last discriminator update. */
  readonly discriminatorLoss: number;
  /** Generator loss of the step's last generator update. */
  readonly generatorLoss: number;
  /** D's mean score on that update's real examples. */
  readonly realScore: number;
  /** D's mean score on that update's fakes. */
  readonly fakeScore: number;
  /** Only under the `'skip'` non-finite policy: 1 when the step was rolled back for a NaN or ±Infinity, else 0. */
  readonly skipped?: number;
};

/**
 * Options of {@link GAN.sample}.
 *
 * @example
 * ```ts
 * const options: GANSampleOptions = { seed: 7, ema: false };
 * const digits = gan.sample(16, options); // the same 16 digits for seed 7
 * ```
 * @group Models
 */
export interface GANSampleOptions extends GANGenerateOptions {
  /** Seed of z; the same seed gives the same samples from the same weights. Omitted, the GAN's own stream is used. */
  readonly seed?: number;
}

/**
 * Options of {@link GAN.generate}.
 *
 * @example
 * ```ts
 * const z = tf.randomNormal([16, 100], 0, 1, 'float32', 7); // [n, latentDim]
 * const images = gan.generate(z, { ema: false }); // the trained weights, not their average
 * const threes = gan.generate(z, { labels: new Array(16).fill(3) }); // a conditional GAN: one class per row of z
 * ```
 * @group Models
 */
export interface GANGenerateOptions {
  /**
   * A conditional GAN's classes, one per example: int32 class indices `[n]` (a tensor, which stays the caller's) or
   * an array of numbers. Required by a conditional GAN, refused by an unconditional one.
   */
  readonly labels?: tf.Tensor | readonly number[];
  /**
   * Use the averaged generator weights (with {@link GANConfig.ema} on).
   * @defaultValue `true` when the GAN keeps an average, else `false`
   */
  readonly ema?: boolean;
}

const NOISE_STREAM = 1;
const SAMPLE_STREAM = 2;
const GENERATOR_INIT = 3;
const DISCRIMINATOR_INIT = 4;
const TERM_STREAM = 5;

// The factory options the default networks are built with, and the config fields they come from.
const DEFAULT_NETWORK_FIELDS: Readonly<Record<string, string>> = {
  'options.latentDim': 'config.latentDim',
  'options.outputShape': 'config.dataShape',
  'options.inputShape': 'config.dataShape',
  'options.classes': 'config.classes',
};

/**
 * A generative adversarial network (Goodfellow et al., 2014): a generator G and a discriminator D trained in turn,
 * D to tell real examples from G(z), G to fool D. The GAN owns both networks and their two optimizers; each update
 * moves only its own network's variables.
 *
 * @see https://arxiv.org/abs/1406.2661
 *
 * @example
 * ```ts
 * const gan = new GAN({ seed: 1 }); // recommended MLP recipe for 784-pixel data in [-1, 1]
 * const logs = await gan.trainStep(realBatch); // { discriminatorLoss, generatorLoss, realScore, fakeScore }
 * const digits = gan.sample(16, { seed: 7 }); // [16, 784]
 * gan.dispose();
 * ```
 * @group Models
 */
export class GAN implements Trainable<GANBatch, GANStepLogs> {
  /**
   * The generator, z `[batch, latentDim]` → `[batch, ...dataShape]`; a conditional one takes `[z, labels]`, labels
   * as one-hot rows `[batch, classes]`.
   */
  readonly generator: tfl.LayersModel;
  /**
   * The discriminator, `[batch, ...dataShape]` → logits; a conditional one may take `[x, labels]` (one-hot) and may
   * output `[logits, classLogits]` (an auxiliary classifier).
   */
  readonly discriminator: tfl.LayersModel;
  /** Number of classes of a conditional GAN, read from the generator's label input; undefined when unconditional. */
  readonly classes: number | undefined;
  /** Size of z. */
  readonly latentDim: number;
  /** Shape of one example. */
  readonly dataShape: readonly number[];
  /** The range training data must lie in (the generator's output range), or `'any'` when unchecked. */
  readonly dataRange: readonly [number, number] | 'any';
  private readonly config: ResolvedGANConfig;
  private readonly generatorOptimizer: tf.Optimizer;
  private readonly discriminatorOptimizer: tf.Optimizer;
  private readonly generatorVariables: tf.Variable[];
  private readonly discriminatorVariables: tf.Variable[];
  private readonly generatorParts: NetworkParts;
  private readonly discriminatorParts: NetworkParts;
  private noiseSeeds: SeedStream;
  private sampleSeeds: SeedStream;
  private termSeeds: SeedStream;
  private readonly kernels: KernelCheck;
  private readonly labelUse: NetworkLabels;
  private readonly step = new AtomicStep('GAN');
  private readonly penaltyChecked = new Set<string>();
  /** The averaged generator weights, one per `generatorParts.variables` entry, when EMA is on. */
  private readonly emaWeights: tf.Variable[] | undefined;
  private steps = 0;
  private disposed = false;

  /**
   * Builds a GAN. Networks that are given are checked against each other (G's output must be D's input) and the
   * GAN takes ownership: it trains them and {@link GAN.dispose} releases them. A network or optimizer that another
   * live model owns is refused.
   *
   * @param config - latent size, seed, losses, optimizers and step ratio; see {@link GANConfig}
   * @param networks - optional generator and discriminator; omitted ones follow the recommended MLP recipe
   * @throws {@link ConfigError} when a field is invalid, the networks' shapes disagree, or a part is shared
   */
  constructor(config: GANConfig = {}, networks: GANNetworks = {}) {
    this.config = resolveGanConfig(config);
    if (typeof networks !== 'object' || networks === null) {
      throw new ConfigError('networks', 'an object { generator?, discriminator? }', describe(networks));
    }
    const given: [object, string][] = [];
    if (networks.generator !== undefined) given.push([networks.generator, 'networks.generator']);
    if (networks.discriminator !== undefined) given.push([networks.discriminator, 'networks.discriminator']);
    for (const [part, argument] of given) assertLiveNetwork(part as tfl.LayersModel, argument);
    if (config.generatorOptimizer !== undefined) given.push([config.generatorOptimizer, 'config.generatorOptimizer']);
    if (config.discriminatorOptimizer !== undefined) {
      given.push([config.discriminatorOptimizer, 'config.discriminatorOptimizer']);
    }
    for (const key of ['generatorOptimizer', 'discriminatorOptimizer'] as const) {
      const optimizer = config[key];
      if (optimizer != null && !optimizerIsLive(optimizer)) throw disposedPart(`config.${key}`);
    }
    claimParts(given, 'another model');
    const seeds = new SeedStream(this.config.seed);
    const latentDim = this.config.latentDim ?? 100;
    const dataShape = this.config.dataShape ?? [784];
    let generator: tfl.LayersModel | undefined;
    let discriminator: tfl.LayersModel | undefined;
    let labelUse: NetworkLabels;
    try {
      const auxiliary = this.config.objective.auxiliaryClassifier === true;
      const defaultClasses = this.config.classes ?? labelSizeOf(networks.discriminator);
      generator =
        networks.generator ??
        mlpGenerator({
          ...MLP_GAN_RECIPES.recommended.generator,
          ...(defaultClasses === undefined ? {} : { classes: defaultClasses }),
          latentDim,
          outputShape: networks.discriminator === undefined ? dataShape : dataExampleShape(networks.discriminator),
          seed: seeds.fork(GENERATOR_INIT).next(),
        });
      const generatorClasses = this.config.classes ?? labelSizeOf(generator);
      discriminator =
        networks.discriminator ??
        mlpDiscriminator({
          ...MLP_GAN_RECIPES.recommended.discriminator,
          ...(generatorClasses === undefined ? {} : { classes: generatorClasses }),
          ...(generatorClasses !== undefined && auxiliary ? { auxiliaryClassifier: true } : {}),
          inputShape: generatorOutputShape(generator),
          seed: seeds.fork(DISCRIMINATOR_INIT).next(),
        });
      [this.latentDim, this.dataShape] = checkNetworks(generator, discriminator, this.config);
      labelUse = readNetworkLabels(generator, discriminator, this.config.objective, this.config.classes);
    } catch (e) {
      // A network this constructor built would otherwise outlive the failed construction.
      if (networks.generator === undefined) generator?.dispose();
      if (networks.discriminator === undefined) discriminator?.dispose();
      releaseParts(given.map(([part]) => part));
      throw inConfigTerms(e, DEFAULT_NETWORK_FIELDS);
    }
    this.generator = generator;
    this.discriminator = discriminator;
    this.labelUse = labelUse;
    this.classes = labelUse.classes;
    this.dataRange = this.config.dataRange ?? outputRange(generator);
    this.generatorOptimizer = config.generatorOptimizer ?? defaultGanOptimizer();
    this.discriminatorOptimizer = config.discriminatorOptimizer ?? defaultGanOptimizer();
    claimBuilt([generator, discriminator, this.generatorOptimizer, this.discriminatorOptimizer], 'another model');
    this.generatorVariables = trainableVariables(this.generator);
    this.discriminatorVariables = trainableVariables(this.discriminator);
    this.generatorParts = new NetworkParts(this.generator);
    // The average starts at the initial weights; tfjs buffers are immutable, so sharing them copies nothing.
    this.emaWeights =
      this.config.emaDecay === undefined ? undefined : this.generatorParts.variables.map((v) => tf.variable(v, false));
    this.discriminatorParts = new NetworkParts(this.discriminator);
    this.noiseSeeds = seeds.fork(NOISE_STREAM);
    this.sampleSeeds = seeds.fork(SAMPLE_STREAM);
    this.termSeeds = seeds.fork(TERM_STREAM);
    this.kernels = new KernelCheck([
      [this.generator, 'networks.generator'],
      [this.discriminator, 'networks.discriminator'],
    ]);
  }

  /**
   * One training step: `steps.discriminator` updates of D on `realBatch` against fresh fakes, then
   * `steps.generator` updates of G, each with fresh z. Both networks run in training mode (dropout on, batch norm
   * on batch statistics). The batch is validated (shape, dtype, finite values, the generator's output range) before
   * any weight changes, and is neither disposed nor modified.
   *
   * The step is all or nothing: if anything in it fails, or a loss, gradient or update is NaN or ±Infinity, every
   * weight, optimizer slot and counter is put back as it was (see `config.nonFinite` for what happens next).
   *
   * A conditional GAN takes `{ x, labels }` (see {@link LabelledBatch}): its discriminator updates make fakes for the
   * real labels, its generator updates for labels drawn uniformly from the GAN's seeded stream. The labels are checked
   * (int32 `[batch]`, indices in [0, classes)) before any weight changes too.
   *
   * @param realBatch - real examples `[batch, ...dataShape]`, float32, in the generator's output range; for a
   *   conditional GAN, `{ x, labels }`
   * @returns losses and mean scores, read back once per step
   * @throws {@link ShapeError} or {@link ValueError} for a bad batch, a disposed part, or a concurrent step
   * @throws {@link ConfigError} when the active backend lacks a kernel the networks need (checked once per backend)
   * @throws {@link StepError} when the step failed part-way and was rolled back (the cause is attached)
   * @throws {@link NonFiniteError} when the step produced NaN or ±Infinity and was rolled back
   */
  async trainStep(realBatch: GANBatch): Promise<GANStepLogs> {
    this.assertLive();
    let parts: { x: tf.Tensor; labels: tf.Tensor | undefined } | undefined;
    const { values, skipped } = await this.step.run(
      this.stepParts(),
      this.config.nonFinite,
      this.steps,
      async () => {
        parts = await this.checkStep(realBatch);
      },
      (phase) => this.updates(parts!.x, parts!.labels, phase),
    );
    if (!skipped) this.steps++;
    const [discriminatorLoss = NaN, realScore = NaN, fakeScore = NaN, generatorLoss = NaN] = values;
    const logs = { discriminatorLoss, generatorLoss, realScore, fakeScore };
    return this.config.nonFinite === 'skip' ? { ...logs, skipped: skipped ? 1 : 0 } : logs;
  }

  /**
   * Maps latent vectors to examples, with G in inference mode.
   *
   * @param z - `[batch, latentDim]`
   * @returns `[batch, ...dataShape]`; the caller disposes it
   *
   * @example
   * ```ts
   * const z = tf.randomNormal([4, gan.latentDim], 0, 1, 'float32', 3);
   * const images = gan.generate(z);
   * ```
   */
  generate(z: tf.Tensor, options: GANGenerateOptions = {}): tf.Tensor {
    this.assertLive();
    assertTensor(z, 'z');
    assertFloat(z, 'z');
    assertShape(z, [null, this.latentDim], 'z');
    assertOptions(options, ['ema', 'labels'], 'options', 'GANGenerateOptions');
    const labels = this.sampleLabels(options.labels, z.shape[0] ?? 0);
    return this.inference(options, () => this.applyGenerator(z, labels, false));
  }

  /**
   * Draws `n` examples from G(z), z ~ N(0, I), with G in inference mode.
   *
   * @param n - how many examples
   * @param options - a seed for reproducible samples; a conditional GAN's `labels`, one class per example
   * @returns `[n, ...dataShape]`; the caller disposes it
   *
   * @example
   * ```ts
   * const grid = imageGrid(gan.sample(100, { seed: 1 }), { imageShape: [28, 28] });
   * // A conditional GAN: ten rows, one per class.
   * const rows = gan.sample(100, { labels: Array.from({ length: 100 }, (_, i) => Math.floor(i / 10)) });
   * ```
   */
  sample(n: number, options: GANSampleOptions = {}): tf.Tensor {
    this.assertLive();
    assertCount(n, 'n', Math.max(this.latentDim, sizeOf(this.dataShape)));
    assertOptions(options, ['seed', 'ema', 'labels'], 'options', 'GANSampleOptions');
    if (options.seed !== undefined) assertSeed(options.seed, 'options.seed');
    const ema = this.useEma(options);
    const labels = this.sampleLabels(options.labels, n);
    const seed = opSeed(options.seed ?? this.sampleSeeds.next());
    return this.inference({ ema }, () => {
      const z = tf.randomNormal([n, this.latentDim], 0, 1, 'float32', seed);
      return this.applyGenerator(z, labels, false);
    });
  }

  /**
   * Everything training has changed, as a plain versioned object of numbers and typed arrays (see {@link GANState}),
   * for `encodeState` to store. Restoring it with {@link GAN.setState} and training on continues the run exactly.
   *
   * @example
   * ```ts
   * const bytes = encodeState(await gan.getState());
   * ```
   */
  async getState(): Promise<GANState> {
    this.assertLive();
    return {
      format: GAN_STATE_FORMAT,
      version: 1,
      steps: this.steps,
      generator: await this.generatorParts.read(),
      discriminator: await this.discriminatorParts.read(),
      generatorOptimizer: await readOptimizerState(this.generatorOptimizer),
      discriminatorOptimizer: await readOptimizerState(this.discriminatorOptimizer),
      ema: this.emaWeights === undefined ? null : await Promise.all(this.emaWeights.map((v) => tensorState(v))),
      seeds: {
        noise: streamState(this.noiseSeeds),
        sample: streamState(this.sampleSeeds),
        terms: streamState(this.termSeeds),
      },
    };
  }

  /**
   * Restores a state from {@link GAN.getState}, into a GAN built with the same config and architectures. Everything
   * is checked first: a state of another format or version, or one that does not fit these networks and optimizers,
   * is refused with a {@link StateError} and nothing changes.
   *
   * @param state - a {@link GANState}, e.g. from `decodeState(bytes)`
   * @throws {@link StateError} when the state does not fit
   *
   * @example
   * ```ts
   * const gan = new GAN({ seed: 1 });
   * gan.setState(decodeState(bytes) as GANState);
   * ```
   */
  setState(state: GANState): void {
    this.assertLive();
    if (this.step.busy) throw busyError('GAN', 'setState');
    const s = checkStateHeader(state, GAN_STATE_FORMAT);
    const writes = [
      this.generatorParts.prepare(s['generator'], 'state.generator'),
      this.discriminatorParts.prepare(s['discriminator'], 'state.discriminator'),
      prepareOptimizerState(
        this.generatorOptimizer,
        s['generatorOptimizer'],
        this.generatorVariables,
        'state.generatorOptimizer',
      ),
      prepareOptimizerState(
        this.discriminatorOptimizer,
        s['discriminatorOptimizer'],
        this.discriminatorVariables,
        'state.discriminatorOptimizer',
      ),
    ];
    writes.push(this.prepareEma(s['ema']));
    const steps = checkCount(s['steps'], 'state.steps');
    const seeds = s['seeds'] as GANState['seeds'] | undefined;
    const noise = checkStream(seeds?.noise, 'state.seeds.noise');
    const sample = checkStream(seeds?.sample, 'state.seeds.sample');
    const terms = checkStream(seeds?.terms, 'state.seeds.terms');
    for (const write of writes) write();
    this.step.stateRestored();
    this.steps = steps;
    this.noiseSeeds = new SeedStream(...noise);
    this.sampleSeeds = new SeedStream(...sample);
    this.termSeeds = new SeedStream(...terms);
  }

  /** Checks a saved average against this GAN's, and returns the write that applies it. */
  private prepareEma(saved: unknown): () => void {
    const average = this.emaWeights;
    if (average === undefined) {
      if (saved !== null) throw new StateError('state.ema', 'null (this GAN keeps no average)', describe(saved));
      return () => undefined;
    }
    if (!Array.isArray(saved) || saved.length !== average.length) {
      const expected = `${average.length} averaged weights (config.ema is on)`;
      throw new StateError('state.ema', expected, describe(saved));
    }
    const writes = average.map((v, i) => restoreTensor(v, saved[i], `state.ema[${i}]`));
    return () => writes.forEach((write) => write());
  }

  /**
   * Releases both networks and both optimizers (injected ones too). Later calls throw.
   *
   * @example
   * ```ts
   * gan.dispose();
   * ```
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    releaseParts([this.generator, this.discriminator, this.generatorOptimizer, this.discriminatorOptimizer]);
    if (this.emaWeights !== undefined) tf.dispose(this.emaWeights);
    disposeNetwork(this.generator);
    disposeNetwork(this.discriminator);
    disposeOptimizer(this.generatorOptimizer);
    disposeOptimizer(this.discriminatorOptimizer);
  }

  /** Whether a call samples from the averaged weights; checked before anything is drawn. */
  private useEma(options: GANGenerateOptions): boolean {
    const ema = options.ema ?? this.emaWeights !== undefined;
    if (typeof ema !== 'boolean') throw new ConfigError('options.ema', 'a boolean', describe(ema));
    if (ema && this.emaWeights === undefined) {
      throw new ConfigError('options.ema', 'false (this GAN keeps no average: set config.ema)', 'true');
    }
    return ema;
  }

  /** Checks the labels of a sample or generate call, before anything is drawn: required exactly when conditional. */
  private sampleLabels(labels: unknown, n: number): tf.Tensor | readonly number[] | undefined {
    const classes = this.classes;
    if (classes === undefined) {
      if (labels !== undefined) {
        throw new ValueError('options.labels', 'undefined (this GAN is unconditional)', describe(labels));
      }
      return undefined;
    }
    if (labels === undefined) {
      const hint = `Pass one class index in [0, ${classes}) per example, e.g. { labels: [0, 1, 2] }.`;
      throw new ValueError(
        'options.labels',
        `class labels (this GAN is conditional on ${classes} classes)`,
        'undefined',
        hint,
      );
    }
    assertLabels(labels, n, classes, 'options.labels');
    return labels;
  }

  /** G on z (and the labels' one-hot rows, for a conditional GAN), inside the caller's tidy. */
  private applyGenerator(
    z: tf.Tensor,
    labels: tf.Tensor | readonly number[] | undefined,
    training: boolean,
  ): tf.Tensor {
    if (labels === undefined) return this.generator.apply(z, { training }) as tf.Tensor;
    const indices = labels instanceof tf.Tensor ? labels : tf.tensor1d(labels as number[], 'int32');
    return this.generator.apply([z, oneHotLabels(indices, this.classes!)], { training }) as tf.Tensor;
  }

  /** D on x (with the labels when it takes them): its adversarial output and, with a classifier head, class logits. */
  private applyDiscriminator(
    x: tf.Tensor,
    labels: tf.Tensor | undefined,
    training: boolean,
  ): { logits: tf.Tensor; classLogits: tf.Tensor | undefined } {
    const inputs =
      this.labelUse.discriminatorTakesLabels && labels !== undefined ? [x, oneHotLabels(labels, this.classes!)] : x;
    const out = this.discriminator.apply(inputs, { training }) as tf.Tensor | tf.Tensor[];
    if (!Array.isArray(out)) return { logits: out, classLogits: undefined };
    return { logits: out[0]!, classLogits: out[1] };
  }

  /** Runs G in inference mode, with the averaged weights swapped in (by reference, no copy) when asked. */
  private inference(options: GANGenerateOptions, run: () => tf.Tensor): tf.Tensor {
    const average = this.useEma(options) ? this.emaWeights : undefined;
    if (average === undefined) return tf.tidy(run);
    const variables = this.generatorParts.variables;
    const trained = variables.map((v) => new HeldValue(v));
    try {
      variables.forEach((v, i) => v.assign(average[i]!));
      return tf.tidy(run);
    } finally {
      for (const held of trained) held.restore();
    }
  }

  /** ema ← decay·ema + (1 − decay)·w, for every generator weight: part of the step, so rolled back with it. */
  private updateEma(): void {
    const decay = this.config.emaDecay;
    if (this.emaWeights === undefined || decay === undefined) return;
    const variables = this.generatorParts.variables;
    tf.tidy(() => {
      this.emaWeights!.forEach((ema, i) => ema.assign(tf.add(tf.mul(ema, decay), tf.mul(variables[i]!, 1 - decay))));
    });
  }

  private stepParts(): StepParts {
    return {
      variables: [...this.generatorParts.variables, ...this.discriminatorParts.variables, ...(this.emaWeights ?? [])],
      optimizers: [this.generatorOptimizer, this.discriminatorOptimizer],
      trained: [
        { optimizer: this.generatorOptimizer, variables: this.generatorVariables },
        { optimizer: this.discriminatorOptimizer, variables: this.discriminatorVariables },
      ],
      counters: [
        ...this.generatorParts.counters,
        ...this.discriminatorParts.counters,
        {
          get: () => this.noiseSeeds.draws,
          set: (draws) => (this.noiseSeeds = new SeedStream(this.noiseSeeds.seed, draws)),
        },
        {
          get: () => this.termSeeds.draws,
          set: (draws) => (this.termSeeds = new SeedStream(this.termSeeds.seed, draws)),
        },
      ],
    };
  }

  private async checkStep(batch: GANBatch): Promise<{ x: tf.Tensor; labels: tf.Tensor | undefined }> {
    this.kernels.check(); // one Set lookup after the first step on a backend
    const { x: realBatch, labels, xName } = batchParts(batch, this.classes);
    assertTensor(realBatch, xName);
    assertFloat(realBatch, xName);
    assertShape(realBatch, this.batchPattern(), xName);
    const parts = this.config.discriminatorUpdates;
    if ((realBatch.shape[0] ?? 0) < parts) {
      const expected = `at least ${parts} examples (the batch is split among ${parts} discriminator updates)`;
      throw new ShapeError(xName, expected, `${realBatch.shape[0]} examples`);
    }
    if (this.classes !== undefined) assertLabels(labels, realBatch.shape[0] ?? 0, this.classes, 'realBatch.labels');
    this.checkPenalty(realBatch, labels);
    const range = this.dataRange;
    await assertFiniteInRange(
      realBatch,
      xName,
      range === 'any'
        ? undefined
        : {
            bounds: range,
            reason: "the generator's output range",
            hint:
              range[0] === -1 && range[1] === 1
                ? 'Scale the data to [-1, 1] (x * 2 - 1 for data in [0, 1]), or set config.dataRange.'
                : "Scale the data to the generator's output range, or set config.dataRange.",
          },
    );
    return { x: realBatch, labels };
  }

  /**
   * Before the first step with a gradient penalty on a backend: can D be differentiated twice there? In inference
   * mode, so the check draws no dropout mask and moves no batch-norm statistic.
   */
  private checkPenalty(realBatch: tf.Tensor, labels: tf.Tensor | undefined): void {
    if (this.config.objective.gradientPenalty !== true) return;
    const backend = tf.getBackend();
    if (this.penaltyChecked.has(backend)) return;
    // The check runs D on the batch's first example only; its labels follow.
    const critic = (x: tf.Tensor) =>
      this.applyDiscriminator(x, labels === undefined ? undefined : tf.slice(labels, 0, x.shape[0]), false).logits;
    try {
      checkSecondDerivative(critic, realBatch, { variables: this.discriminatorVariables });
    } catch (e) {
      closeAbandonedTape(); // the failed double back-propagation leaves tfjs's tape and its saved tensors behind
      throw e;
    }
    this.penaltyChecked.add(backend);
  }

  /**
   * All updates of one step, as one vector `[dLoss, realScore, fakeScore, gLoss, ...finiteness probes]`: each update
   * yields scalars, and one stack at the end makes the step's single read-back. With k discriminator updates the real
   * batch is split into k parts, one per update.
   */
  private updates(realBatch: tf.Tensor, realLabels: tf.Tensor | undefined, phase: (name: string) => void): StepOutput {
    const { discriminatorUpdates: dSteps, generatorUpdates: gSteps } = this.config;
    const sizes = splitSizes(realBatch.shape[0] ?? 0, dSteps);
    const parts = dSteps === 1 ? [realBatch] : tf.split(realBatch, sizes);
    const labelParts = realLabels === undefined || dSteps === 1 ? [realLabels] : tf.split(realLabels, sizes);
    const probes: tf.Scalar[] = [];
    const probeNames: string[] = [];
    let dStats: tf.Scalar[] = [];
    let gLoss: tf.Scalar[] = [];
    try {
      for (let i = 0; i < dSteps; i++) {
        const name = `discriminator update ${i + 1} of ${dSteps}`;
        phase(name);
        const update = this.discriminatorUpdate(parts[i]!, labelParts[i]);
        tf.dispose(dStats.slice(1)); // the loss stays alive as a probe
        dStats = update.stats;
        probes.push(update.probe);
        probeNames.push(`${name}: loss`);
      }
      for (let i = 0; i < gSteps; i++) {
        const name = `generator update ${i + 1} of ${gSteps}`;
        phase(name);
        const update = this.generatorUpdate(parts[i % dSteps]!, labelParts[i % dSteps]);
        gLoss = update.stats;
        probes.push(update.probe);
        probeNames.push(`${name}: loss`);
      }
      phase('generator weight average');
      this.updateEma();
      return { values: tf.stack([...dStats, ...gLoss, ...probes]) as tf.Tensor1D, probeNames };
    } finally {
      tf.dispose([...probes, ...dStats, ...gLoss]);
      if (parts[0] !== realBatch) tf.dispose(parts);
      if (labelParts[0] !== realLabels) tf.dispose(labelParts as tf.Tensor[]);
    }
  }

  /** One update of D: `[loss, realScore, fakeScore]`, and its loss again as a finiteness probe. */
  private discriminatorUpdate(
    real: tf.Tensor,
    labels: tf.Tensor | undefined,
  ): { stats: tf.Scalar[]; probe: tf.Scalar } {
    const { objective } = this.config;
    const scores: tf.Scalar[] = [];
    let done = false;
    try {
      const update = tf.tidy(() => {
        // Fakes are made outside the tape: D's update needs no gradient through G.
        const fake = this.applyGenerator(this.noise(real.shape[0] ?? 0), labels, true);
        const { value, grads } = tf.variableGrads(() => {
          const terms = this.terms(real, fake, labels, labels);
          const loss = scalarLoss(objective.discriminatorLoss(terms), 'config.objective.discriminatorLoss');
          // Kept past the tape's tidy so the log costs no second forward pass.
          scores.push(tf.keep(meanScore(terms.realLogits, objective)), tf.keep(meanScore(terms.fakeLogits, objective)));
          return loss;
        }, this.discriminatorVariables);
        this.discriminatorOptimizer.applyGradients(inOrder(this.discriminatorVariables, grads));
        objective.afterDiscriminatorUpdate?.(this.discriminatorVariables);
        return { stats: [value], probe: value };
      });
      done = true;
      return { stats: [...update.stats, ...scores], probe: update.probe };
    } finally {
      if (!done) tf.dispose(scores);
    }
  }

  /** One update of G: `[loss]`, and its loss again as a finiteness probe. */
  private generatorUpdate(
    real: tf.Tensor,
    realLabels: tf.Tensor | undefined,
  ): { stats: tf.Scalar[]; probe: tf.Scalar } {
    const { objective } = this.config;
    return tf.tidy(() => {
      const n = real.shape[0] ?? 0;
      const z = this.noise(n);
      // Drawn from the noise stream after z, so an unconditional GAN's stream is as it always was.
      const fakeLabels =
        this.classes === undefined ? undefined : uniformLabels(n, this.classes, this.noiseSeeds.next());
      const { value, grads } = tf.variableGrads(() => {
        const fake = this.applyGenerator(z, fakeLabels, true);
        const terms = this.terms(real, fake, realLabels, fakeLabels);
        return scalarLoss(objective.generatorLoss(terms), 'config.objective.generatorLoss');
      }, this.generatorVariables);
      this.generatorOptimizer.applyGradients(inOrder(this.generatorVariables, grads));
      return { stats: [value], probe: value };
    });
  }

  /** The terms of one update; D's outputs and the term seed are produced on first read only. */
  private terms(
    real: tf.Tensor,
    fake: tf.Tensor,
    realLabels: tf.Tensor | undefined,
    fakeLabels: tf.Tensor | undefined,
  ): AdversarialTerms {
    const apply = (x: tf.Tensor, labels: tf.Tensor | undefined) => this.applyDiscriminator(x, labels, true);
    const discriminate = (x: tf.Tensor, labels: tf.Tensor | undefined = realLabels): tf.Tensor =>
      apply(x, labels).logits;
    let onReal: ReturnType<typeof apply> | undefined;
    let onFake: ReturnType<typeof apply> | undefined;
    let seed: number | undefined;
    const seeds = this.termSeeds;
    const labelled = realLabels === undefined || fakeLabels === undefined ? {} : { realLabels, fakeLabels };
    return {
      real,
      fake,
      discriminate,
      ...labelled,
      get realLogits() {
        return (onReal ??= apply(real, realLabels)).logits;
      },
      get fakeLogits() {
        return (onFake ??= apply(fake, fakeLabels)).logits;
      },
      get realClassLogits() {
        return (onReal ??= apply(real, realLabels)).classLogits;
      },
      get fakeClassLogits() {
        return (onFake ??= apply(fake, fakeLabels)).classLogits;
      },
      get seed() {
        return (seed ??= seeds.next());
      },
    };
  }

  private noise(batchSize: number): tf.Tensor2D {
    return tf.randomNormal([batchSize, this.latentDim], 0, 1, 'float32', this.noiseSeeds.next());
  }

  private batchPattern(): ShapePattern {
    return [null, ...this.dataShape];
  }

  /** Every public call starts here: a disposed model, or a part disposed behind its back, is refused up front. */
  private assertLive(): void {
    if (this.disposed) throw new ValueError('this', 'a live GAN', 'a disposed GAN');
    this.assertIntact();
  }

  /** Parts disposed behind the GAN's back are found before anything changes, not half-way through a step. */
  private assertIntact(): void {
    if (this.generatorParts.disposed) throw disposedPart('networks.generator');
    if (this.discriminatorParts.disposed) throw disposedPart('networks.discriminator');
    if (!optimizerIsLive(this.generatorOptimizer)) throw disposedPart('config.generatorOptimizer');
    if (!optimizerIsLive(this.discriminatorOptimizer)) throw disposedPart('config.discriminatorOptimizer');
  }
}

const GAN_STATE_FORMAT = 'tfjs-generative/gan';

/** The label size of a conditional network (its label input's, else its class head's), or undefined. */
function labelSizeOf(network: tfl.LayersModel | undefined): number | undefined {
  const size = network?.inputs[1]?.shape[1] ?? network?.outputs[1]?.shape[1];
  return typeof size === 'number' ? size : undefined;
}
