import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mlpDecoder, mlpEncoder } from '../../architectures/vae';
import { KernelCheck } from '../../backends/kernels';
import { ConfigError, StateError, ValueError } from '../../errors';
import { AtomicStep, busyError, type StepOutput, type StepParts } from '../../internal/atomic-step';
import { inOrder } from '../../internal/optimizer-state';
import {
  assertLiveNetwork,
  disposeNetwork,
  disposeOptimizer,
  disposedPart,
  scalarLoss,
} from '../../internal/model-checks';
import { checkCount, checkStateHeader, checkStream, streamState } from '../../internal/model-state';
import { NetworkParts, type NetworkState } from '../../internal/network-state';
import {
  optimizerIsLive,
  prepareOptimizerState,
  readOptimizerState,
  type OptimizerState,
} from '../../internal/optimizer-state';
import { assertOptions } from '../../internal/options';
import { claimBuilt, claimParts, releaseParts } from '../../internal/ownership';
import { assertCount, assertNumberInRange, assertPositiveInteger, describe, sizeOf } from '../../internal/shapes';
import { restoreTensor, tensorState, type TensorState } from '../../internal/tensor-state';
import { trainableVariables } from '../../internal/variables';
import { negativeElbo, type ElboParts } from '../../losses/vae';
import { bernoulliReconstructionLoss, gaussianReconstructionLoss } from '../../losses/vae-reconstruction';
import { SeedStream, assertSeed } from '../../random';
import type { Trainable } from '../../training/trainable';
import {
  defaultVaeOptimizer,
  resolveVaeConfig,
  type EvaluateOptions,
  type ImportanceWeightedOptions,
  type InterpolateOptions,
  type ReconstructOptions,
  type ResolvedVAEConfig,
  type VAEConfig,
  type VAEDecoding,
  type VAEEncoding,
  type VAEEvaluation,
  type VAENetworks,
  type VAEOutput,
  type VAESampleOptions,
  type VAEStepLogs,
} from './config';
import {
  checkBatchShape,
  checkDataBatch,
  checkSingleExample,
  checkVaeNetworks,
  decoderLatentDim,
  decoderOutputShape,
  encoderInputShape,
  encoderLatentDim,
  gaussianNoise,
  importanceWeightedNll,
  interpolateLatents,
  reparameterize,
} from './internal';
import { inConfigTerms } from '../../internal/argument-error';

const NOISE_STREAM = 1;
const SAMPLE_STREAM = 2;
const EVAL_STREAM = 3;
const ENCODER_INIT = 4;
const DECODER_INIT = 5;
const MAX_CHUNK_ROWS = 8192;
const VAE_STATE_FORMAT = 'tfjs-generative/vae';

/**
 * Everything a {@link VAE} holds that training changes, as plain numbers and typed arrays: both networks' weights,
 * a learned decoder variance, the optimizer's slots and iteration count, the seed streams and the step count (which
 * drives the β warm-up). Store it with `encodeState`; restore it with {@link VAE.setState} into a VAE built with the
 * same config and architectures.
 *
 * @example
 * ```ts
 * const bytes = encodeState(await vae.getState());
 * vae.setState(decodeState<VAEState>(bytes));
 * ```
 * @group Models
 */
export interface VAEState {
  /** What kind of state this is; {@link VAE.setState} refuses any other. */
  readonly format: 'tfjs-generative/vae';
  /** The layout's version; a later library that changes the layout reads older versions or refuses them clearly. */
  readonly version: 1;
  /** Training steps completed: the β warm-up's position. */
  readonly steps: number;
  /** The encoder's weights and dropout positions. */
  readonly encoder: NetworkState;
  /** The decoder's weights and dropout positions. */
  readonly decoder: NetworkState;
  /** The learned log σ² of a Gaussian likelihood with `variance: 'learned'`, else null. */
  readonly decoderLogVar: TensorState | null;
  /** The optimizer: slots and iteration count. */
  readonly optimizer: OptimizerState;
  /** The random streams, each as `[seed, draws]`. */
  readonly seeds: {
    /** The reparameterisation noise of training steps. */
    readonly noise: readonly [number, number];
    /** The noise of {@link VAE.sample} and sampled reconstructions without a seed. */
    readonly sample: readonly [number, number];
    /** The noise of {@link VAE.evaluate} and {@link VAE.importanceWeightedBound} without a seed. */
    readonly eval: readonly [number, number];
  };
}

// The factory options the default networks are built with, and the config fields they come from.
const DEFAULT_NETWORK_FIELDS: Readonly<Record<string, string>> = {
  'options.latentDim': 'config.latentDim',
  'options.inputShape': 'config.dataShape',
  'options.outputShape': 'config.dataShape',
};

/**
 * A variational autoencoder (Kingma & Welling, 2014): an encoder maps x to the diagonal Gaussian q(z|x) =
 * N(mean, exp(logVar)), a decoder maps z to the likelihood p(x|z), and both are trained together to minimise the
 * negative ELBO, −log p(x|z) + β·KL(q(z|x) ‖ N(0, I)), through the reparameterisation z = mean + σ·ε. The VAE owns its
 * networks and its optimizer; a learned Gaussian variance is trained with them.
 *
 * @see https://arxiv.org/abs/1312.6114
 *
 * @example
 * ```ts
 * const vae = new VAE({ seed: 1 }); // 784 → 400 → (20, 20) and 20 → 400 → 784, Bernoulli, data in [0, 1]
 * const logs = await vae.trainStep(batch); // { loss, reconstruction, kl, beta }
 * const { negativeElbo } = await vae.evaluate(testImages);
 * const digits = vae.sample(16, { seed: 7 }); // [16, 784] pixel probabilities
 * vae.dispose();
 * ```
 * @group Models
 */
export class VAE implements Trainable<tf.Tensor, VAEStepLogs> {
  /** The encoder, `[batch, ...dataShape]` → `[mean, logVar]`, each `[batch, latentDim]`. */
  readonly encoder: tfl.LayersModel;
  /** The decoder, `[batch, latentDim]` → logits (Bernoulli) or means (Gaussian), `[batch, ...dataShape]`. */
  readonly decoder: tfl.LayersModel;
  /** Size of z. */
  readonly latentDim: number;
  /** Shape of one example. */
  readonly dataShape: readonly number[];
  /** The likelihood p(x|z). */
  readonly likelihood: 'bernoulli' | 'gaussian';
  private readonly config: ResolvedVAEConfig;
  private readonly optimizer: tf.Optimizer;
  private readonly decoderLogVar: tf.Variable | number | undefined;
  private readonly variables: tf.Variable[];
  private readonly encoderParts: NetworkParts;
  private readonly decoderParts: NetworkParts;
  private noiseSeeds: SeedStream;
  private sampleSeeds: SeedStream;
  private evalSeeds: SeedStream;
  private readonly kernels: KernelCheck;
  private readonly step = new AtomicStep('VAE');
  private steps = 0;
  private disposed = false;

  /**
   * Builds a VAE. Networks that are given are checked against each other (the encoder's input is the decoder's
   * output, the encoder's two heads are the decoder's input) and the VAE takes ownership of them.
   *
   * @param config - latent size, likelihood, β and its warm-up, optimizer and seed; see {@link VAEConfig}
   * @param networks - optional encoder and decoder; omitted ones are built by {@link mlpEncoder} / {@link mlpDecoder}
   * @throws {@link ConfigError} when a field is invalid or the networks' shapes disagree
   */
  constructor(config: VAEConfig = {}, networks: VAENetworks = {}) {
    this.config = resolveVaeConfig(config);
    if (typeof networks !== 'object' || networks === null) {
      throw new ConfigError('networks', 'an object { encoder?, decoder? }', describe(networks));
    }
    const { encoder, decoder } = networks;
    const given: [object, string][] = [];
    if (encoder !== undefined) given.push([encoder, 'networks.encoder']);
    if (decoder !== undefined) given.push([decoder, 'networks.decoder']);
    for (const [part, argument] of given) assertLiveNetwork(part as tfl.LayersModel, argument);
    if (config.optimizer != null) {
      if (!optimizerIsLive(config.optimizer)) throw disposedPart('config.optimizer');
      given.push([config.optimizer, 'config.optimizer']);
    }
    claimParts(given, 'another model');
    const seeds = new SeedStream(this.config.seed);
    // A network that is given fixes the shapes of the default one built around it.
    const { latentDim: configLatent, dataShape: configShape } = this.config;
    const latentDim =
      configLatent ?? (encoder && encoderLatentDim(encoder)) ?? (decoder && decoderLatentDim(decoder)) ?? 20;
    const dataShape =
      configShape ?? (encoder && encoderInputShape(encoder)) ?? (decoder && decoderOutputShape(decoder));
    const shape = dataShape ?? [784];
    let built: tfl.LayersModel[] = [];
    try {
      this.encoder = encoder ?? mlpEncoder({ latentDim, inputShape: shape, seed: seeds.fork(ENCODER_INIT).next() });
      if (encoder === undefined) built = [this.encoder];
      this.decoder = decoder ?? mlpDecoder({ latentDim, outputShape: shape, seed: seeds.fork(DECODER_INIT).next() });
      if (decoder === undefined) built = [...built, this.decoder];
      [this.latentDim, this.dataShape] = checkVaeNetworks(this.encoder, this.decoder, this.config);
    } catch (e) {
      // Only the networks built here are ours to free; injected ones stay with the caller on failure.
      for (const network of built) network.dispose();
      releaseParts(given.map(([part]) => part));
      throw inConfigTerms(e, DEFAULT_NETWORK_FIELDS);
    }
    this.likelihood = this.config.likelihood;
    const variance = this.config.variance;
    // A learned σ² is one trainable log σ², starting at σ² = 1 (tidy frees the zeros it is copied from).
    this.decoderLogVar =
      variance === 'learned' ? tf.tidy(() => tf.variable(tf.zeros([]), true)) : variance && Math.log(variance);
    this.optimizer = config.optimizer ?? defaultVaeOptimizer();
    claimBuilt([this.encoder, this.decoder, this.optimizer], 'another model');
    this.variables = [...trainableVariables(this.encoder), ...trainableVariables(this.decoder)];
    if (this.decoderLogVar instanceof tf.Variable) this.variables.push(this.decoderLogVar);
    this.encoderParts = new NetworkParts(this.encoder);
    this.decoderParts = new NetworkParts(this.decoder);
    this.noiseSeeds = seeds.fork(NOISE_STREAM);
    this.sampleSeeds = seeds.fork(SAMPLE_STREAM);
    this.evalSeeds = seeds.fork(EVAL_STREAM);
    this.kernels = new KernelCheck([
      [this.encoder, 'networks.encoder'],
      [this.decoder, 'networks.decoder'],
    ]);
  }

  /**
   * The β the next {@link VAE.trainStep} will use: `config.beta`, scaled by min(1, steps taken / warm-up steps).
   *
   * @example
   * ```ts
   * const vae = new VAE({ beta: 1, betaWarmup: { steps: 1000 } });
   * vae.beta; // 0 before the first step, 0.5 after 500
   * ```
   */
  get beta(): number {
    const { beta, warmupSteps } = this.config;
    return warmupSteps === 0 ? beta : beta * Math.min(1, this.steps / warmupSteps);
  }

  /**
   * One training step: encode the batch, draw one z per example, decode, and take one optimizer step on
   * reconstruction + β·KL for the encoder, the decoder and a learned variance together (training mode). The batch is
   * validated (shape, dtype, finite values, and [0, 1] for the Bernoulli likelihood) before any weight changes, and
   * is neither disposed nor modified.
   *
   * @param batch - examples `[batch, ...dataShape]`, float32
   * @returns the objective, its parts and β, read back once per step
   * @throws {@link ShapeError} or {@link ValueError} for a bad batch
   *
   * @example
   * ```ts
   * const { loss, reconstruction, kl, beta } = await vae.trainStep(batch); // or: new Trainer(vae).fit(images)
   * ```
   */
  async trainStep(batch: tf.Tensor): Promise<VAEStepLogs> {
    this.assertLive();
    const beta = this.beta;
    const { values, skipped } = await this.step.run(
      this.stepParts(),
      this.config.nonFinite,
      this.steps,
      async () => {
        this.kernels.check(); // one Set lookup after the first step on a backend
        await this.checkBatch(batch, 'batch');
      },
      (phase) => {
        phase('update');
        return this.update(batch, beta);
      },
    );
    if (!skipped) this.steps++;
    const [loss = NaN, reconstruction = NaN, kl = NaN] = values;
    const logs = { loss, reconstruction, kl, beta };
    return this.config.nonFinite === 'skip' ? { ...logs, skipped: skipped ? 1 : 0 } : logs;
  }

  /**
   * Everything training has changed, as a plain versioned object of numbers and typed arrays (see {@link VAEState}),
   * for `encodeState` to store. Restoring it with {@link VAE.setState} and training on continues the run exactly,
   * β warm-up included.
   *
   * @example
   * ```ts
   * const bytes = encodeState(await vae.getState());
   * ```
   */
  async getState(): Promise<VAEState> {
    this.assertLive();
    return {
      format: VAE_STATE_FORMAT,
      version: 1,
      steps: this.steps,
      encoder: await this.encoderParts.read(),
      decoder: await this.decoderParts.read(),
      decoderLogVar: this.decoderLogVar instanceof tf.Variable ? await tensorState(this.decoderLogVar) : null,
      optimizer: await readOptimizerState(this.optimizer),
      seeds: {
        noise: streamState(this.noiseSeeds),
        sample: streamState(this.sampleSeeds),
        eval: streamState(this.evalSeeds),
      },
    };
  }

  /**
   * Restores a state from {@link VAE.getState}, into a VAE built with the same config and architectures. Everything
   * is checked first: a state that does not fit is refused with a {@link StateError} and nothing changes.
   *
   * @param state - a {@link VAEState}, e.g. from `decodeState(bytes)`
   * @throws {@link StateError} when the state does not fit
   *
   * @example
   * ```ts
   * const vae = new VAE({ seed: 1 });
   * vae.setState(decodeState<VAEState>(bytes));
   * ```
   */
  setState(state: VAEState): void {
    this.assertLive();
    if (this.step.busy) throw busyError('VAE', 'setState');
    const s = checkStateHeader(state, VAE_STATE_FORMAT);
    const writes = [
      this.encoderParts.prepare(s['encoder'], 'state.encoder'),
      this.decoderParts.prepare(s['decoder'], 'state.decoder'),
      prepareOptimizerState(this.optimizer, s['optimizer'], this.variables, 'state.optimizer'),
    ];
    if (this.decoderLogVar instanceof tf.Variable) {
      writes.push(restoreTensor(this.decoderLogVar, s['decoderLogVar'], 'state.decoderLogVar'));
    } else if (s['decoderLogVar'] !== null) {
      throw new StateError(
        'state.decoderLogVar',
        "null (this VAE's variance is not learned)",
        describe(s['decoderLogVar']),
      );
    }
    const steps = checkCount(s['steps'], 'state.steps');
    const seeds = s['seeds'] as VAEState['seeds'] | undefined;
    const noise = checkStream(seeds?.noise, 'state.seeds.noise');
    const sample = checkStream(seeds?.sample, 'state.seeds.sample');
    const evaluation = checkStream(seeds?.eval, 'state.seeds.eval');
    for (const write of writes) write();
    this.step.stateRestored();
    this.steps = steps;
    this.noiseSeeds = new SeedStream(...noise);
    this.sampleSeeds = new SeedStream(...sample);
    this.evalSeeds = new SeedStream(...evaluation);
  }

  /**
   * The −ELBO (β = 1) of a batch and its parts, with one z per example and the networks in inference mode; no weight
   * changes. On a held-out set this is the number to compare across models: an upper bound on −log p(x), in nats.
   *
   * @param batch - examples `[batch, ...dataShape]`, validated as in {@link VAE.trainStep}
   * @param options - a seed for a reproducible estimate
   * @returns means over the batch
   *
   * @example
   * ```ts
   * const { negativeElbo, reconstruction, kl } = await vae.evaluate(testImages, { seed: 0 });
   * ```
   */
  async evaluate(batch: tf.Tensor, options: EvaluateOptions = {}): Promise<VAEEvaluation> {
    this.assertLive();
    checkCallOptions(options, ['seed'], 'EvaluateOptions');
    await this.checkBatch(batch, 'batch');
    const seed = options.seed ?? this.evalSeeds.next();
    const stats = tf.tidy(() => {
      const elbo = this.elbo(batch, false, 1, seed);
      return tf.stack([elbo.loss, elbo.reconstruction, elbo.kl]);
    });
    const [value = NaN, reconstruction = NaN, kl = NaN] = await stats.data();
    stats.dispose();
    return { negativeElbo: value, reconstruction, kl };
  }

  /**
   * The importance-weighted bound of Burda et al. (2016) with k samples, as an estimate of the negative
   * log-likelihood in nats: −mean_x log( (1/k)·Σ_i p(x|z_i)·p(z_i) / q(z_i|x) ), z_i ~ q(z|x), computed with a
   * log-sum-exp. k = 1 is the −ELBO; it decreases towards −log p(x) as k grows. With the Bernoulli likelihood on
   * grey-level data the "likelihood" is that of soft targets, as in {@link VAE.evaluate}, not a normalised density.
   *
   * Memory stays bounded for any k and any batch: the samples are drawn in chunks (`options.chunkSize`) for a block
   * of examples at a time, at most 8192 decoded rows per chunk by default, and each example's log-sum-exp is kept as
   * a running total. Between chunks the event loop runs (one macrotask, never an animation frame, so a hidden tab
   * carries on), and `options.signal` can abort the evaluation there.
   *
   * @param batch - examples `[batch, ...dataShape]`, validated as in {@link VAE.trainStep}
   * @param k - samples per example, >= 1
   * @param options - seed, chunk size and abort signal
   * @returns the mean over the batch, in nats
   * @throws the signal's `reason` when `options.signal` aborts (a `DOMException` named `AbortError` unless
   *   `controller.abort(reason)` gave another), as `fetch` does; nothing is left allocated
   * @see https://arxiv.org/abs/1509.00519
   *
   * @example
   * ```ts
   * const nll = await vae.importanceWeightedBound(testImages, 50); // 105.2 vs a −ELBO of 109.5 in the MNIST example
   * const controller = new AbortController();
   * const tight = vae.importanceWeightedBound(testImages, 100_000, { signal: controller.signal }); // abortable
   * ```
   */
  async importanceWeightedBound(batch: tf.Tensor, k: number, options: ImportanceWeightedOptions = {}): Promise<number> {
    this.assertLive();
    // It yields between chunks: a step interleaved there would change the weights half-way through the estimate.
    return this.step.exclusive('importanceWeightedBound', async () => {
      checkCallOptions(options, ['seed', 'chunkSize', 'signal'], 'ImportanceWeightedOptions');
      await checkDataBatch(batch, 'batch', this.dataShape, this.likelihood === 'bernoulli');
      assertPositiveInteger(k, 'k');
      if (options.chunkSize !== undefined) assertPositiveInteger(options.chunkSize, 'options.chunkSize');
      const { signal } = options;
      if (signal !== undefined && typeof (signal as Partial<AbortSignal> | null)?.aborted !== 'boolean') {
        throw new ConfigError('options.signal', 'an AbortSignal', describe(signal));
      }
      // A call that rejects (aborted, or the model disposed while it yielded) leaves the eval stream where it was.
      const evalSeeds = this.evalSeeds;
      const start = evalSeeds.draws;
      const seeds = new SeedStream(options.seed ?? evalSeeds.next());
      const maxRows = MAX_CHUNK_ROWS;
      const plan = { k, chunkSize: options.chunkSize, maxRows, seeds, signal, resume: () => this.assertLive() };
      try {
        return await importanceWeightedNll(batch, plan, {
          encode: (x) => this.encode(x),
          decode: (z) => this.decoder.apply(z, { training: false }) as tf.Tensor,
          nll: (x, output) =>
            this.likelihood === 'bernoulli'
              ? bernoulliReconstructionLoss(x, output, { reduction: 'none' })
              : gaussianReconstructionLoss(x, output, { reduction: 'none', logVar: this.decoderLogVar ?? 0 }),
        });
      } catch (e) {
        if (this.evalSeeds === evalSeeds) this.evalSeeds = new SeedStream(evalSeeds.seed, start);
        throw e;
      }
    });
  }

  /**
   * q(z|x) for a batch, with the encoder in inference mode.
   *
   * @param x - examples `[batch, ...dataShape]`
   * @returns `{ mean, logVar }`, each `[batch, latentDim]`
   *
   * @example
   * ```ts
   * const { mean, logVar } = vae.encode(images);
   * ```
   */
  encode(x: tf.Tensor): VAEEncoding {
    this.checkShape(x, 'x', this.dataShape);
    return tf.tidy(() => {
      const [mean, logVar] = this.encoder.apply(x, { training: false }) as tf.Tensor2D[];
      return { mean: mean as tf.Tensor2D, logVar: logVar as tf.Tensor2D };
    });
  }

  /**
   * p(x|z) for a batch of latent vectors, with the decoder in inference mode.
   *
   * @param z - `[batch, latentDim]`
   * @returns `{ output, mean }`: the logits (or Gaussian mean) and E[x|z], each `[batch, ...dataShape]`
   *
   * @example
   * ```ts
   * const { output: logits, mean: probabilities } = vae.decode(tf.zeros([1, vae.latentDim]));
   * ```
   */
  decode(z: tf.Tensor): VAEDecoding {
    this.checkShape(z, 'z', [this.latentDim]);
    return tf.tidy(() => {
      const output = this.decoder.apply(z, { training: false }) as tf.Tensor;
      return { output, mean: this.expected(output) };
    });
  }

  /**
   * Encodes and decodes a batch: by default through the mean of q(z|x), the usual picture of what the model kept.
   *
   * @param x - examples `[batch, ...dataShape]`
   * @param options - decode a sample instead of the mean, and its seed
   * @returns `{ reconstruction, mean, logVar, z }`
   *
   * @example
   * ```ts
   * const { reconstruction, mean, logVar, z } = vae.reconstruct(testImages);
   * ```
   */
  reconstruct(x: tf.Tensor, options: ReconstructOptions = {}): VAEOutput {
    this.checkShape(x, 'x', this.dataShape);
    checkCallOptions(options, ['sample', 'seed'], 'ReconstructOptions');
    if (options.sample !== undefined && typeof options.sample !== 'boolean') {
      throw new ConfigError('options.sample', 'a boolean', describe(options.sample));
    }
    const seed = options.sample === true ? options.seed ?? this.sampleSeeds.next() : 0;
    return tf.tidy(() => {
      const [mean, logVar] = this.encoder.apply(x, { training: false }) as tf.Tensor2D[];
      const z = (options.sample === true ? reparameterize(mean!, logVar!, seed).z : tf.clone(mean!)) as tf.Tensor2D;
      const reconstruction = this.expected(this.decoder.apply(z, { training: false }) as tf.Tensor);
      return { reconstruction, mean: mean!, logVar: logVar!, z };
    });
  }

  /**
   * Draws `n` examples' expected values E[x|z], z ~ N(0, temperature²·I), with the decoder in inference mode (pixel
   * probabilities for the Bernoulli likelihood, the usual way to show samples).
   *
   * @param n - how many
   * @param options - seed and temperature
   * @returns `[n, ...dataShape]`
   *
   * @example
   * ```ts
   * const grid = imageGrid(vae.sample(100, { seed: 1, temperature: 0.8 }), { imageShape: [28, 28], range: [0, 1] });
   * ```
   */
  sample(n: number, options: VAESampleOptions = {}): tf.Tensor {
    this.assertLive();
    assertCount(n, 'n', Math.max(this.latentDim, sizeOf(this.dataShape)));
    checkCallOptions(options, ['seed', 'temperature'], 'VAESampleOptions');
    const temperature = options.temperature ?? 1;
    assertNumberInRange(temperature, 'options.temperature', 0, Number.MAX_VALUE);
    const seed = options.seed ?? this.sampleSeeds.next();
    return tf.tidy(() => {
      const z = gaussianNoise([n, this.latentDim], seed, temperature);
      return this.expected(this.decoder.apply(z, { training: false }) as tf.Tensor);
    });
  }

  /**
   * Decodes `steps` points on the path between the codes (the means of q(z|x)) of two examples, both ends included.
   *
   * @param a - one example, `[...dataShape]` or `[1, ...dataShape]`
   * @param b - another, the same shape
   * @param steps - points on the path, >= 2
   * @param options - `'linear'` or `'spherical'`
   * @returns E[x|z] along the path, `[steps, ...dataShape]`
   *
   * @example
   * ```ts
   * const [a, b] = [tf.slice(testImages, [0, 0], [1, -1]), tf.slice(testImages, [1, 0], [1, -1])];
   * const path = vae.interpolate(a, b, 10, { method: 'spherical' }); // [10, 784]
   * ```
   */
  interpolate(a: tf.Tensor, b: tf.Tensor, steps: number, options: InterpolateOptions = {}): tf.Tensor {
    this.assertLive();
    checkSingleExample(a, 'a', this.dataShape);
    checkSingleExample(b, 'b', this.dataShape);
    if (!Number.isInteger(steps) || steps < 2) throw new ValueError('steps', 'an integer >= 2', describe(steps));
    assertCount(steps, 'steps', Math.max(this.latentDim, sizeOf(this.dataShape)));
    checkCallOptions(options, ['method'], 'InterpolateOptions');
    const method = options.method ?? 'linear';
    if (method !== 'linear' && method !== 'spherical') {
      throw new ConfigError('options.method', "'linear' or 'spherical'", describe(method));
    }
    return tf.tidy(() => {
      const [za] = this.encoder.apply(tf.reshape(a, [1, ...this.dataShape]), { training: false }) as tf.Tensor[];
      const [zb] = this.encoder.apply(tf.reshape(b, [1, ...this.dataShape]), { training: false }) as tf.Tensor[];
      const path = interpolateLatents(za!, zb!, steps, method); // [steps, latentDim]
      return this.expected(this.decoder.apply(path, { training: false }) as tf.Tensor);
    });
  }

  /**
   * Releases both networks, the optimizer and a learned variance (injected networks too). Later calls throw.
   *
   * @example
   * ```ts
   * vae.dispose();
   * ```
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    releaseParts([this.encoder, this.decoder, this.optimizer]);
    disposeNetwork(this.encoder);
    disposeNetwork(this.decoder);
    disposeOptimizer(this.optimizer);
    if (this.decoderLogVar instanceof tf.Variable) this.decoderLogVar.dispose();
  }

  private stepParts(): StepParts {
    const logVar = this.decoderLogVar instanceof tf.Variable ? [this.decoderLogVar] : [];
    return {
      variables: [...this.encoderParts.variables, ...this.decoderParts.variables, ...logVar],
      optimizers: [this.optimizer],
      trained: [{ optimizer: this.optimizer, variables: this.variables }],
      counters: [
        ...this.encoderParts.counters,
        ...this.decoderParts.counters,
        {
          get: () => this.noiseSeeds.draws,
          set: (draws) => (this.noiseSeeds = new SeedStream(this.noiseSeeds.seed, draws)),
        },
      ],
    };
  }

  /** One optimizer step: `[loss, reconstruction, kl]`, and the loss again as a finiteness probe. */
  private update(batch: tf.Tensor, beta: number): StepOutput {
    const seed = this.noiseSeeds.next();
    const parts: tf.Scalar[] = [];
    try {
      return tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const elbo = this.elbo(batch, true, beta, seed);
          parts.push(tf.keep(elbo.reconstruction), tf.keep(elbo.kl)); // kept past the tape's tidy: no second pass
          return scalarLoss(elbo.loss, 'the negative ELBO');
        }, this.variables);
        this.optimizer.applyGradients(inOrder(this.variables, grads));
        return {
          values: tf.stack([value, ...parts, value]) as tf.Tensor1D,
          probeNames: ['update: loss'],
        };
      });
    } finally {
      tf.dispose(parts);
    }
  }

  /** Parts disposed behind the VAE's back are found before anything changes, not half-way through a step. */
  private assertIntact(): void {
    if (this.encoderParts.disposed) throw disposedPart('networks.encoder');
    if (this.decoderParts.disposed) throw disposedPart('networks.decoder');
    if (!optimizerIsLive(this.optimizer)) throw disposedPart('config.optimizer');
  }

  private elbo(x: tf.Tensor, training: boolean, beta: number, seed: number): ElboParts {
    const [mean, logVar] = this.encoder.apply(x, { training }) as tf.Tensor[];
    const { z } = reparameterize(mean!, logVar!, seed);
    const output = this.decoder.apply(z, { training }) as tf.Tensor;
    return negativeElbo(x, output, mean!, logVar!, {
      beta,
      likelihood: this.likelihood,
      ...(this.decoderLogVar === undefined ? {} : { decoderLogVar: this.decoderLogVar }),
    });
  }

  private expected(output: tf.Tensor): tf.Tensor {
    return this.likelihood === 'bernoulli' ? tf.sigmoid(output) : tf.clone(output);
  }

  private checkShape(t: tf.Tensor, argument: string, perExample: readonly number[]): void {
    this.assertLive();
    checkBatchShape(t, argument, perExample);
  }

  private async checkBatch(batch: tf.Tensor, argument: string): Promise<void> {
    this.assertLive();
    await checkDataBatch(batch, argument, this.dataShape, this.likelihood === 'bernoulli');
  }

  /** Every public call starts here: a disposed model, or a part disposed behind its back, is refused up front. */
  private assertLive(): void {
    if (this.disposed) throw new ValueError('this', 'a live VAE', 'a disposed VAE');
    this.assertIntact();
  }
}

/** A per-call options object: known keys only, and a seed (when given) that is a safe integer. */
function checkCallOptions(options: unknown, known: readonly string[], typeName: string): void {
  assertOptions(options, known, 'options', typeName);
  if (options['seed'] !== undefined) assertSeed(options['seed'], 'options.seed');
}
