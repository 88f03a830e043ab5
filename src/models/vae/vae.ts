import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mlpDecoder, mlpEncoder } from '../../architectures/vae';
import { KernelCheck } from '../../backends/kernels';
import { ConfigError, ValueError } from '../../errors';
import { assertNumberInRange, assertPositiveInteger } from '../../internal/shapes';
import { trainableVariables } from '../../internal/variables';
import { negativeElbo, type ElboParts } from '../../losses/vae';
import { bernoulliReconstructionLoss, gaussianReconstructionLoss } from '../../losses/vae-reconstruction';
import { SeedStream } from '../../random';
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

const NOISE_STREAM = 1;
const SAMPLE_STREAM = 2;
const EVAL_STREAM = 3;
const ENCODER_INIT = 4;
const DECODER_INIT = 5;
const MAX_CHUNK_ROWS = 8192;

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
 */
export class VAE implements Trainable<tf.Tensor> {
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
  private readonly noiseSeeds: SeedStream;
  private readonly sampleSeeds: SeedStream;
  private readonly evalSeeds: SeedStream;
  private readonly kernels: KernelCheck;
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
    const seeds = new SeedStream(this.config.seed);
    const { encoder, decoder } = networks;
    // A network that is given fixes the shapes of the default one built around it.
    const { latentDim: configLatent, dataShape: configShape } = this.config;
    const latentDim = configLatent ?? (encoder && encoderLatentDim(encoder)) ?? (decoder && decoderLatentDim(decoder)) ?? 20;
    const dataShape = configShape ?? (encoder && encoderInputShape(encoder)) ?? (decoder && decoderOutputShape(decoder));
    const shape = dataShape ?? [784];
    this.encoder = encoder ?? mlpEncoder({ latentDim, inputShape: shape, seed: seeds.fork(ENCODER_INIT).next() });
    this.decoder = decoder ?? mlpDecoder({ latentDim, outputShape: shape, seed: seeds.fork(DECODER_INIT).next() });
    try {
      [this.latentDim, this.dataShape] = checkVaeNetworks(this.encoder, this.decoder, this.config);
    } catch (e) {
      // Only the networks built here are ours to free; injected ones stay with the caller on failure.
      if (encoder === undefined) this.encoder.dispose();
      if (decoder === undefined) this.decoder.dispose();
      throw e;
    }
    this.likelihood = this.config.likelihood;
    const variance = this.config.variance;
    // A learned σ² is one trainable log σ², starting at σ² = 1 (tidy frees the zeros it is copied from).
    this.decoderLogVar =
      variance === 'learned' ? tf.tidy(() => tf.variable(tf.zeros([]), true)) : variance && Math.log(variance);
    this.optimizer = config.optimizer ?? defaultVaeOptimizer();
    this.variables = [...trainableVariables(this.encoder), ...trainableVariables(this.decoder)];
    if (this.decoderLogVar instanceof tf.Variable) this.variables.push(this.decoderLogVar);
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
    this.kernels.check(); // one Set lookup after the first step on a backend
    await this.checkBatch(batch, 'batch');
    const beta = this.beta;
    const seed = this.noiseSeeds.next();
    const stats = tf.tidy(() => {
      let parts: tf.Tensor | undefined;
      const loss = this.optimizer.minimize(
        () => {
          const elbo = this.elbo(batch, true, beta, seed);
          parts = tf.keep(tf.stack([elbo.reconstruction, elbo.kl])); // kept past minimize's tidy: no second pass
          return elbo.loss;
        },
        true,
        this.variables,
      ) as tf.Scalar;
      const out = tf.concat([tf.reshape(loss, [1]), parts as tf.Tensor1D]);
      parts?.dispose();
      return out;
    });
    this.steps++;
    const [loss = NaN, reconstruction = NaN, kl = NaN] = await stats.data();
    stats.dispose();
    return { loss, reconstruction, kl, beta };
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
   * log-sum-exp. k = 1 is the −ELBO; it decreases towards −log p(x) as k grows. The samples are processed in chunks,
   * so memory stays bounded for any k. With the Bernoulli likelihood on grey-level data the "likelihood" is that of
   * soft targets, as in {@link VAE.evaluate}, not a normalised density.
   *
   * @param batch - examples `[batch, ...dataShape]`, validated as in {@link VAE.trainStep}
   * @param k - samples per example, >= 1
   * @param options - seed and chunk size
   * @returns the mean over the batch, in nats
   * @see https://arxiv.org/abs/1509.00519
   *
   * @example
   * ```ts
   * const nll = await vae.importanceWeightedBound(testImages, 50); // 105.2 vs a −ELBO of 109.5 in the MNIST example
   * ```
   */
  async importanceWeightedBound(batch: tf.Tensor, k: number, options: ImportanceWeightedOptions = {}): Promise<number> {
    this.assertLive();
    await checkDataBatch(batch, 'batch', this.dataShape, this.likelihood === 'bernoulli');
    assertPositiveInteger(k, 'k');
    const chunkSize = options.chunkSize ?? Math.max(1, Math.floor(MAX_CHUNK_ROWS / (batch.shape[0] ?? 1)));
    assertPositiveInteger(chunkSize, 'options.chunkSize');
    const seeds = new SeedStream(options.seed ?? this.evalSeeds.next());
    const posterior = this.encode(batch);
    try {
      return await importanceWeightedNll(batch, posterior, k, chunkSize, seeds, {
        decode: (z) => this.decoder.apply(z, { training: false }) as tf.Tensor,
        nll: (x, output) =>
          this.likelihood === 'bernoulli'
            ? bernoulliReconstructionLoss(x, output, { reduction: 'none' })
            : gaussianReconstructionLoss(x, output, { reduction: 'none', logVar: this.decoderLogVar ?? 0 }),
      });
    } finally {
      tf.dispose([posterior.mean, posterior.logVar]);
    }
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
    const seed = options.sample === true ? (options.seed ?? this.sampleSeeds.next()) : 0;
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
    assertPositiveInteger(n, 'n');
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
   * const path = vae.interpolate(test0, test1, 10, { method: 'spherical' }); // [10, 784]
   * ```
   */
  interpolate(a: tf.Tensor, b: tf.Tensor, steps: number, options: InterpolateOptions = {}): tf.Tensor {
    this.assertLive();
    checkSingleExample(a, 'a', this.dataShape);
    checkSingleExample(b, 'b', this.dataShape);
    if (!Number.isInteger(steps) || steps < 2) throw new ConfigError('steps', 'an integer >= 2', String(steps));
    const method = options.method ?? 'linear';
    if (method !== 'linear' && method !== 'spherical') {
      throw new ConfigError('options.method', "'linear' or 'spherical'", JSON.stringify(method));
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
    this.encoder.dispose();
    this.decoder.dispose();
    this.optimizer.dispose();
    if (this.decoderLogVar instanceof tf.Variable) this.decoderLogVar.dispose();
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

  private assertLive(): void {
    if (this.disposed) throw new ValueError('this', 'a live VAE', 'a disposed VAE');
  }
}
