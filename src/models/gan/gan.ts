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
import { claimParts, releaseParts } from '../../internal/ownership';
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
  defaultGanOptimizer,
  resolveGanConfig,
  type GANConfig,
  type GANNetworks,
  type ResolvedGANConfig,
} from './config';

/**
 * What one {@link GAN.trainStep} reports, as plain numbers. The scores' meaning follows the objective's
 * {@link GANObjective.output}: mean probabilities in [0, 1] for a logits or probabilities D, mean critic values for a
 * Wasserstein critic.
 */
export interface GANStepLogs {
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
  readonly [key: string]: number;
}

/** Options of {@link GAN.sample}. */
export interface SampleOptions extends GenerateOptions {
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
 * ```
 */
export interface GenerateOptions {
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
 */
export class GAN implements Trainable<tf.Tensor> {
  /** The generator, z `[batch, latentDim]` → `[batch, ...dataShape]`. */
  readonly generator: tfl.LayersModel;
  /** The discriminator, `[batch, ...dataShape]` → logits. */
  readonly discriminator: tfl.LayersModel;
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
    try {
      generator =
        networks.generator ??
        mlpGenerator({
          ...MLP_GAN_RECIPES.recommended.generator,
          latentDim,
          outputShape: networks.discriminator === undefined ? dataShape : dataExampleShape(networks.discriminator),
          seed: seeds.fork(GENERATOR_INIT).next(),
        });
      discriminator =
        networks.discriminator ??
        mlpDiscriminator({
          ...MLP_GAN_RECIPES.recommended.discriminator,
          inputShape: generatorOutputShape(generator),
          seed: seeds.fork(DISCRIMINATOR_INIT).next(),
        });
      [this.latentDim, this.dataShape] = checkNetworks(generator, discriminator, this.config);
    } catch (e) {
      // A network this constructor built would otherwise outlive the failed construction.
      if (networks.generator === undefined) generator?.dispose();
      if (networks.discriminator === undefined) discriminator?.dispose();
      releaseParts(given.map(([part]) => part));
      throw e;
    }
    this.generator = generator;
    this.discriminator = discriminator;
    this.dataRange = this.config.dataRange ?? outputRange(generator);
    this.generatorOptimizer = config.generatorOptimizer ?? defaultGanOptimizer();
    this.discriminatorOptimizer = config.discriminatorOptimizer ?? defaultGanOptimizer();
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
   * @param realBatch - real examples `[batch, ...dataShape]`, float32, in the generator's output range
   * @returns losses and mean scores, read back once per step
   * @throws {@link ShapeError} or {@link ValueError} for a bad batch, a disposed part, or a concurrent step
   * @throws {@link ConfigError} when the active backend lacks a kernel the networks need (checked once per backend)
   * @throws {@link StepError} when the step failed part-way and was rolled back (the cause is attached)
   * @throws {@link NonFiniteError} when the step produced NaN or ±Infinity and was rolled back
   */
  async trainStep(realBatch: tf.Tensor): Promise<GANStepLogs> {
    this.assertLive();
    const { values, skipped } = await this.step.run(
      this.stepParts(),
      this.config.nonFinite,
      this.steps,
      () => this.checkStep(realBatch),
      (phase) => this.updates(realBatch, phase),
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
  generate(z: tf.Tensor, options: GenerateOptions = {}): tf.Tensor {
    this.assertLive();
    assertTensor(z, 'z');
    assertFloat(z, 'z');
    assertShape(z, [null, this.latentDim], 'z');
    assertOptions(options, ['ema'], 'options', 'GenerateOptions');
    return this.inference(options, () => this.generator.apply(z, { training: false }) as tf.Tensor);
  }

  /**
   * Draws `n` examples from G(z), z ~ N(0, I), with G in inference mode.
   *
   * @param n - how many examples
   * @param options - a seed for reproducible samples
   * @returns `[n, ...dataShape]`; the caller disposes it
   *
   * @example
   * ```ts
   * const grid = imageGrid(gan.sample(100, { seed: 1 }), { imageShape: [28, 28] });
   * ```
   */
  sample(n: number, options: SampleOptions = {}): tf.Tensor {
    this.assertLive();
    assertCount(n, 'n', Math.max(this.latentDim, sizeOf(this.dataShape)));
    assertOptions(options, ['seed', 'ema'], 'options', 'SampleOptions');
    if (options.seed !== undefined) assertSeed(options.seed, 'options.seed');
    const ema = this.useEma(options);
    const seed = opSeed(options.seed ?? this.sampleSeeds.next());
    return this.inference({ ema }, () => {
      const z = tf.randomNormal([n, this.latentDim], 0, 1, 'float32', seed);
      return this.generator.apply(z, { training: false }) as tf.Tensor;
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
  private useEma(options: GenerateOptions): boolean {
    const ema = options.ema ?? this.emaWeights !== undefined;
    if (typeof ema !== 'boolean') throw new ConfigError('options.ema', 'a boolean', describe(ema));
    if (ema && this.emaWeights === undefined) {
      throw new ConfigError('options.ema', 'false (this GAN keeps no average: set config.ema)', 'true');
    }
    return ema;
  }

  /** Runs G in inference mode, with the averaged weights swapped in (by reference, no copy) when asked. */
  private inference(options: GenerateOptions, run: () => tf.Tensor): tf.Tensor {
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

  private async checkStep(realBatch: tf.Tensor): Promise<void> {
    this.kernels.check(); // one Set lookup after the first step on a backend
    assertTensor(realBatch, 'realBatch');
    assertFloat(realBatch, 'realBatch');
    assertShape(realBatch, this.batchPattern(), 'realBatch');
    const parts = this.config.discriminatorSteps;
    if ((realBatch.shape[0] ?? 0) < parts) {
      const expected = `at least ${parts} examples (the batch is split among ${parts} discriminator updates)`;
      throw new ShapeError('realBatch', expected, `${realBatch.shape[0]} examples`);
    }
    this.checkPenalty(realBatch);
    const range = this.dataRange;
    await assertFiniteInRange(
      realBatch,
      'realBatch',
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
  }

  /**
   * Before the first step with a gradient penalty on a backend: can D be differentiated twice there? In inference
   * mode, so the check draws no dropout mask and moves no batch-norm statistic.
   */
  private checkPenalty(realBatch: tf.Tensor): void {
    if (this.config.objective.gradientPenalty !== true) return;
    const backend = tf.getBackend();
    if (this.penaltyChecked.has(backend)) return;
    const critic = (x: tf.Tensor) => this.discriminator.apply(x, { training: false }) as tf.Tensor;
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
  private updates(realBatch: tf.Tensor, phase: (name: string) => void): StepOutput {
    const { discriminatorSteps: dSteps, generatorSteps: gSteps } = this.config;
    const parts = dSteps === 1 ? [realBatch] : tf.split(realBatch, splitSizes(realBatch.shape[0] ?? 0, dSteps));
    const probes: tf.Scalar[] = [];
    const probeNames: string[] = [];
    let dStats: tf.Scalar[] = [];
    let gLoss: tf.Scalar[] = [];
    try {
      for (let i = 0; i < dSteps; i++) {
        const name = `discriminator update ${i + 1} of ${dSteps}`;
        phase(name);
        const update = this.discriminatorUpdate(parts[i]!);
        tf.dispose(dStats.slice(1)); // the loss stays alive as a probe
        dStats = update.stats;
        probes.push(update.probe);
        probeNames.push(`${name}: loss`);
      }
      for (let i = 0; i < gSteps; i++) {
        const name = `generator update ${i + 1} of ${gSteps}`;
        phase(name);
        const update = this.generatorUpdate(parts[i % dSteps]!);
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
    }
  }

  /** One update of D: `[loss, realScore, fakeScore]`, and its loss again as a finiteness probe. */
  private discriminatorUpdate(real: tf.Tensor): { stats: tf.Scalar[]; probe: tf.Scalar } {
    const { objective } = this.config;
    const scores: tf.Scalar[] = [];
    let done = false;
    try {
      const update = tf.tidy(() => {
        // Fakes are made outside the tape: D's update needs no gradient through G.
        const fake = this.generator.apply(this.noise(real.shape[0] ?? 0), { training: true }) as tf.Tensor;
        const { value, grads } = tf.variableGrads(() => {
          const terms = this.terms(real, fake);
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
  private generatorUpdate(real: tf.Tensor): { stats: tf.Scalar[]; probe: tf.Scalar } {
    const { objective } = this.config;
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const fake = this.generator.apply(this.noise(real.shape[0] ?? 0), { training: true }) as tf.Tensor;
        return scalarLoss(objective.generatorLoss(this.terms(real, fake)), 'config.objective.generatorLoss');
      }, this.generatorVariables);
      this.generatorOptimizer.applyGradients(inOrder(this.generatorVariables, grads));
      return { stats: [value], probe: value };
    });
  }

  /** The terms of one update; D's outputs and the term seed are produced on first read only. */
  private terms(real: tf.Tensor, fake: tf.Tensor): AdversarialTerms {
    const discriminate = (x: tf.Tensor): tf.Tensor => this.discriminator.apply(x, { training: true }) as tf.Tensor;
    let realLogits: tf.Tensor | undefined;
    let fakeLogits: tf.Tensor | undefined;
    let seed: number | undefined;
    const seeds = this.termSeeds;
    return {
      real,
      fake,
      discriminate,
      get realLogits() {
        return (realLogits ??= discriminate(real));
      },
      get fakeLogits() {
        return (fakeLogits ??= discriminate(fake));
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
