import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { MLP_GAN_RECIPES, mlpDiscriminator, mlpGenerator } from '../../architectures/mlp';
import { KernelCheck } from '../../backends/kernels';
import { ConfigError, ValueError } from '../../errors';
import {
  assertFinite,
  assertFloat,
  assertPositiveInteger,
  assertShape,
  assertTensor,
  assertConfiguredDataShape,
  assertNetworksJoin,
  formatShape,
  onlyShape,
  type ShapePattern,
} from '../../internal/shapes';
import { trainableVariables } from '../../internal/variables';
import { SeedStream, opSeed } from '../../random';
import type { Trainable } from '../../training/trainable';
import {
  defaultGanOptimizer,
  resolveGanConfig,
  type GANConfig,
  type GANNetworks,
  type ResolvedGANConfig,
} from './config';

/** What one {@link GAN.trainStep} reports, as plain numbers. */
export interface GANStepLogs {
  /** Discriminator loss of the step's last discriminator update. */
  readonly discriminatorLoss: number;
  /** Generator loss of the step's last generator update. */
  readonly generatorLoss: number;
  /** Mean D(x) = σ(logit) on the real batch, in [0, 1], from the last discriminator update. */
  readonly realScore: number;
  /** Mean D(G(z)) on that update's fakes, in [0, 1]. */
  readonly fakeScore: number;
  readonly [key: string]: number;
}

/** Options of {@link GAN.sample}. */
export interface SampleOptions {
  /** Seed of z; the same seed gives the same samples from the same weights. Omitted, the GAN's own stream is used. */
  readonly seed?: number;
}

const NOISE_STREAM = 1;
const SAMPLE_STREAM = 2;
const GENERATOR_INIT = 3;
const DISCRIMINATOR_INIT = 4;

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
  private readonly config: ResolvedGANConfig;
  private readonly generatorOptimizer: tf.Optimizer;
  private readonly discriminatorOptimizer: tf.Optimizer;
  private readonly generatorVariables: tf.Variable[];
  private readonly discriminatorVariables: tf.Variable[];
  private readonly noiseSeeds: SeedStream;
  private readonly sampleSeeds: SeedStream;
  private readonly kernels: KernelCheck;
  private disposed = false;

  /**
   * Builds a GAN. Networks that are given are checked against each other (G's output must be D's input) and the
   * GAN takes ownership: it trains them and {@link GAN.dispose} releases them.
   *
   * @param config - latent size, seed, losses, optimizers and step ratio; see {@link GANConfig}
   * @param networks - optional generator and discriminator; omitted ones follow the recommended MLP recipe
   * @throws {@link ConfigError} when a field is invalid or the networks' shapes disagree
   */
  constructor(config: GANConfig = {}, networks: GANNetworks = {}) {
    this.config = resolveGanConfig(config);
    const seeds = new SeedStream(this.config.seed);
    const latentDim = this.config.latentDim ?? 100;
    const dataShape = this.config.dataShape ?? [784];
    const generator =
      networks.generator ??
      mlpGenerator({
        ...MLP_GAN_RECIPES.recommended.generator,
        latentDim,
        outputShape: networks.discriminator === undefined ? dataShape : dataExampleShape(networks.discriminator),
        seed: seeds.fork(GENERATOR_INIT).next(),
      });
    let discriminator: tfl.LayersModel | undefined;
    try {
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
      if (networks.generator === undefined) generator.dispose();
      if (networks.discriminator === undefined) discriminator?.dispose();
      throw e;
    }
    this.generator = generator;
    this.discriminator = discriminator;
    this.generatorOptimizer = config.generatorOptimizer ?? defaultGanOptimizer();
    this.discriminatorOptimizer = config.discriminatorOptimizer ?? defaultGanOptimizer();
    this.generatorVariables = trainableVariables(this.generator);
    this.discriminatorVariables = trainableVariables(this.discriminator);
    this.noiseSeeds = seeds.fork(NOISE_STREAM);
    this.sampleSeeds = seeds.fork(SAMPLE_STREAM);
    this.kernels = new KernelCheck([
      [this.generator, 'networks.generator'],
      [this.discriminator, 'networks.discriminator'],
    ]);
  }

  /**
   * One training step: `steps.discriminator` updates of D on `realBatch` against fresh fakes, then
   * `steps.generator` updates of G, each with fresh z. Both networks run in training mode (dropout on, batch norm
   * on batch statistics). The batch is validated (shape, dtype, finite values) before any weight changes, and is
   * neither disposed nor modified.
   *
   * @param realBatch - real examples `[batch, ...dataShape]`, float32, in the generator's output range
   * @returns losses and mean scores, read back once per step
   * @throws {@link ShapeError} or {@link ValueError} for a bad batch
   * @throws {@link ConfigError} when the active backend lacks a kernel the networks need (checked once per backend)
   */
  async trainStep(realBatch: tf.Tensor): Promise<GANStepLogs> {
    this.assertLive();
    this.kernels.check(); // one Set lookup after the first step on a backend
    assertTensor(realBatch, 'realBatch');
    assertFloat(realBatch, 'realBatch');
    assertShape(realBatch, this.batchPattern(), 'realBatch');
    await assertFinite(realBatch, 'realBatch');
    const batchSize = realBatch.shape[0] ?? 0;

    let dStats: tf.Tensor | undefined;
    let gLoss: tf.Tensor | undefined;
    try {
      for (let i = 0; i < this.config.discriminatorSteps; i++) {
        dStats?.dispose();
        dStats = this.discriminatorUpdate(realBatch, batchSize);
      }
      for (let i = 0; i < this.config.generatorSteps; i++) {
        gLoss?.dispose();
        gLoss = this.generatorUpdate(batchSize);
      }
      const logs = tf.tidy(() => tf.concat([dStats as tf.Tensor1D, tf.reshape(gLoss as tf.Tensor, [1])]));
      const [discriminatorLoss = NaN, realScore = NaN, fakeScore = NaN, generatorLoss = NaN] = await logs.data();
      logs.dispose();
      return { discriminatorLoss, generatorLoss, realScore, fakeScore };
    } finally {
      dStats?.dispose();
      gLoss?.dispose();
    }
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
  generate(z: tf.Tensor): tf.Tensor {
    this.assertLive();
    assertTensor(z, 'z');
    assertFloat(z, 'z');
    assertShape(z, [null, this.latentDim], 'z');
    return tf.tidy(() => this.generator.apply(z, { training: false }) as tf.Tensor);
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
    assertPositiveInteger(n, 'n');
    const seed = opSeed(options.seed ?? this.sampleSeeds.next());
    return tf.tidy(() => {
      const z = tf.randomNormal([n, this.latentDim], 0, 1, 'float32', seed);
      return this.generator.apply(z, { training: false }) as tf.Tensor;
    });
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
    this.generator.dispose();
    this.discriminator.dispose();
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
  }

  /** Returns `[dLoss, meanRealScore, meanFakeScore]`. */
  private discriminatorUpdate(realBatch: tf.Tensor, batchSize: number): tf.Tensor1D {
    return tf.tidy(() => {
      // Fakes are made outside the tape: D's update needs no gradient through G.
      const fake = this.generator.apply(this.noise(batchSize), { training: true }) as tf.Tensor;
      let scores: tf.Tensor | undefined;
      const loss = this.discriminatorOptimizer.minimize(
        () => {
          const realLogits = this.discriminator.apply(realBatch, { training: true }) as tf.Tensor;
          const fakeLogits = this.discriminator.apply(fake, { training: true }) as tf.Tensor;
          // Kept past minimize's own tidy so the log costs no second forward pass.
          scores = tf.keep(tf.stack([tf.mean(tf.sigmoid(realLogits)), tf.mean(tf.sigmoid(fakeLogits))]));
          return this.config.discriminatorLoss(realLogits, fakeLogits);
        },
        true,
        this.discriminatorVariables,
      );
      const stats = tf.concat([tf.reshape(loss as tf.Scalar, [1]), scores as tf.Tensor1D]) as tf.Tensor1D;
      scores?.dispose();
      return stats;
    });
  }

  private generatorUpdate(batchSize: number): tf.Scalar {
    return tf.tidy(
      () =>
        this.generatorOptimizer.minimize(
          () => {
            const fake = this.generator.apply(this.noise(batchSize), { training: true }) as tf.Tensor;
            return this.config.generatorLoss(this.discriminator.apply(fake, { training: true }) as tf.Tensor);
          },
          true,
          this.generatorVariables,
        ) as tf.Scalar,
    );
  }

  private noise(batchSize: number): tf.Tensor2D {
    return tf.randomNormal([batchSize, this.latentDim], 0, 1, 'float32', this.noiseSeeds.next());
  }

  private batchPattern(): ShapePattern {
    return [null, ...this.dataShape];
  }

  private assertLive(): void {
    if (this.disposed) throw new ValueError('this', 'a live GAN', 'a disposed GAN');
  }
}

function generatorOutputShape(generator: tfl.LayersModel): number[] {
  return onlyShape(generator.outputs, 'networks.generator outputs').slice(1) as number[];
}

function dataExampleShape(discriminator: tfl.LayersModel): number[] {
  return onlyShape(discriminator.inputs, 'networks.discriminator inputs').slice(1) as number[];
}

/** Shapes are checked once here, so a mismatch is a clear error at construction rather than a crash mid-training. */
function checkNetworks(
  generator: tfl.LayersModel,
  discriminator: tfl.LayersModel,
  config: ResolvedGANConfig,
): [number, readonly number[]] {
  const zShape = onlyShape(generator.inputs, 'networks.generator inputs');
  const latentDim = zShape[1];
  if (zShape.length !== 2 || zShape[0] !== null || typeof latentDim !== 'number') {
    throw new ConfigError('networks.generator', 'an input of shape [batch, latentDim]', formatShape(zShape));
  }
  if (config.latentDim !== undefined && config.latentDim !== latentDim) {
    throw new ConfigError('config.latentDim', `${latentDim} (the generator's input size)`, String(config.latentDim));
  }
  const gOut = onlyShape(generator.outputs, 'networks.generator outputs');
  const dIn = onlyShape(discriminator.inputs, 'networks.discriminator inputs');
  if (gOut[0] !== null || gOut.slice(1).some((d) => d === null)) {
    throw new ConfigError('networks.generator', 'an output of fully known shape [batch, ...]', formatShape(gOut));
  }
  assertNetworksJoin(
    dIn,
    gOut,
    'networks.discriminator',
    'an input',
    "the generator's output shape",
    'Reshape the generator output (tf.layers.reshape) or flatten the discriminator input so they agree.',
  );
  const dataShape = gOut.slice(1) as number[];
  assertConfiguredDataShape(config.dataShape, dataShape);
  const dOut = onlyShape(discriminator.outputs, 'networks.discriminator outputs');
  if (dOut[0] !== null) {
    throw new ConfigError('networks.discriminator', 'an output with a leading batch axis', formatShape(dOut));
  }
  return [latentDim, dataShape];
}
