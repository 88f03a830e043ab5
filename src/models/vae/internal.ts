/**
 * The VAE's tensor math and checks outside the class: the reparameterisation, the IWAE bound, latent interpolation,
 * batch validation and the one-time check of injected networks. Internal.
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../../errors';
import {
  assertFiniteInRange,
  assertConfiguredDataShape,
  assertFloat,
  assertNetworksJoin,
  assertShape,
  assertTensor,
  formatShape,
  onlyShape,
  sameShape,
} from '../../internal/shapes';
import { opSeed, type SeedStream } from '../../random';
import { nextMacrotask } from '../../training/yield';

/** ε ~ N(0, std²·I) of `shape`, reproducible from `seed` (0 included). */
export function gaussianNoise(shape: number[], seed: number, std = 1): tf.Tensor {
  return tf.randomNormal(shape, 0, std, 'float32', opSeed(seed));
}

/**
 * z = mean + exp(½·logVar)·ε with ε ~ N(0, I): a sample of q(z|x) written as a differentiable function
 * of the encoder's outputs (Kingma & Welling, §2.4). Returns ε too, which the importance weights reuse.
 */
export function reparameterize(mean: tf.Tensor, logVar: tf.Tensor, seed: number): { z: tf.Tensor; eps: tf.Tensor } {
  const eps = gaussianNoise(mean.shape, seed);
  return { z: tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)), eps };
}

/**
 * log p(z) − log q(z|x) for z = mean + σ·ε, per example `[batch]`. The log(2π) constants cancel, and
 * (z − mean)²/σ² = ε², so: −½·Σ z² + ½·Σ (ε² + logVar).
 */
export function logPriorOverPosterior(z: tf.Tensor, eps: tf.Tensor, logVar: tf.Tensor): tf.Tensor1D {
  const prior = tf.sum(tf.square(z), 1);
  const posterior = tf.sum(tf.add(tf.square(eps), logVar), 1);
  return tf.mul(tf.sub(posterior, prior), 0.5) as tf.Tensor1D;
}

/**
 * `steps` latent points from `za` to `zb` (each `[1, latentDim]`), both ends included, `[steps, latentDim]`.
 * Spherical interpolation (slerp, Shoemake 1985; White 2016) follows the great circle between the two directions:
 * sin((1 − t)θ)/sin θ · za + sin(tθ)/sin θ · zb with cos θ = za·zb / (|za||zb|), and falls back to the linear path
 * when the two are (anti)parallel, where sin θ vanishes.
 */
export function interpolateLatents(
  za: tf.Tensor,
  zb: tf.Tensor,
  steps: number,
  method: 'linear' | 'spherical',
): tf.Tensor2D {
  const t = tf.reshape(tf.linspace(0, 1, steps), [steps, 1]); // [steps, 1]
  const linearA = tf.sub(1, t);
  if (method === 'linear') return tf.add(tf.mul(linearA, za), tf.mul(t, zb)) as tf.Tensor2D;
  const norms = tf.mul(tf.norm(za), tf.norm(zb));
  const cos = tf.clipByValue(tf.div(tf.sum(tf.mul(za, zb)), tf.maximum(norms, 1e-12)), -1, 1);
  const theta = tf.acos(cos);
  const sinTheta = tf.sin(theta);
  const degenerate = tf.less(tf.abs(sinTheta), 1e-6);
  const safeSin = tf.where(degenerate, tf.onesLike(sinTheta), sinTheta);
  const wa = tf.where(degenerate, linearA, tf.div(tf.sin(tf.mul(linearA, theta)), safeSin)); // [steps, 1]
  const wb = tf.where(degenerate, t, tf.div(tf.sin(tf.mul(t, theta)), safeSin));
  return tf.add(tf.mul(wa, za), tf.mul(wb, zb)) as tf.Tensor2D;
}

/** The example shape an encoder takes, `[...dataShape]`, for building a default decoder around it. */
export function encoderInputShape(encoder: tfl.LayersModel): number[] {
  return onlyShape(encoder.inputs, 'networks.encoder inputs').slice(1) as number[];
}

/** The latent size an encoder outputs, for building a default decoder around it. */
export function encoderLatentDim(encoder: tfl.LayersModel): number | undefined {
  return encoder.outputs[0]?.shape[1] ?? undefined;
}

/** The example shape a decoder outputs. */
export function decoderOutputShape(decoder: tfl.LayersModel): number[] {
  return onlyShape(decoder.outputs, 'networks.decoder outputs').slice(1) as number[];
}

/** The latent size a decoder takes. */
export function decoderLatentDim(decoder: tfl.LayersModel): number | undefined {
  return onlyShape(decoder.inputs, 'networks.decoder inputs')[1] ?? undefined;
}

/**
 * Checks the encoder/decoder contract once, at construction: encoder `[batch, ...dataShape]` → `[mean, logVar]`,
 * each `[batch, latentDim]`; decoder `[batch, latentDim]` → `[batch, ...dataShape]`. Returns `[latentDim, dataShape]`.
 */
export function checkVaeNetworks(
  encoder: tfl.LayersModel,
  decoder: tfl.LayersModel,
  config: { readonly latentDim: number | undefined; readonly dataShape: readonly number[] | undefined },
): [number, readonly number[]] {
  const xShape = onlyShape(encoder.inputs, 'networks.encoder inputs');
  if (xShape[0] !== null || xShape.length < 2 || xShape.slice(1).some((d) => d === null)) {
    const expected = 'an input of fully known shape [batch, ...dataShape]';
    throw new ConfigError('networks.encoder', expected, formatShape(xShape));
  }
  const outs = encoder.outputs.map((o) => [...o.shape]);
  const [meanShape, logVarShape] = outs;
  const latentDim = meanShape?.[1];
  if (outs.length !== 2 || meanShape === undefined || logVarShape === undefined) {
    throw new ConfigError(
      'networks.encoder outputs',
      'two tensors [mean, logVar], each [batch, latentDim]',
      `${outs.length} output${outs.length === 1 ? '' : 's'}`,
      'Build the encoder with tf.model({ inputs, outputs: [meanHead, logVarHead] }), or use mlpEncoder.',
    );
  }
  const twoHeads = meanShape.length === 2 && meanShape[0] === null && sameShape(meanShape, logVarShape);
  if (!twoHeads || typeof latentDim !== 'number') {
    throw new ConfigError(
      'networks.encoder outputs',
      'two tensors [mean, logVar], each [batch, latentDim]',
      `${formatShape(meanShape)} and ${formatShape(logVarShape)}`,
    );
  }
  if (config.latentDim !== undefined && config.latentDim !== latentDim) {
    throw new ConfigError('config.latentDim', `${latentDim} (the encoder's latent size)`, String(config.latentDim));
  }
  const zShape = onlyShape(decoder.inputs, 'networks.decoder inputs');
  if (!sameShape(zShape, [null, latentDim])) {
    const expected = `an input of shape [batch, ${latentDim}] (the encoder's latent size)`;
    throw new ConfigError('networks.decoder', expected, formatShape(zShape));
  }
  const outShape = onlyShape(decoder.outputs, 'networks.decoder outputs');
  assertNetworksJoin(
    outShape,
    xShape,
    'networks.decoder',
    'an output',
    "the encoder's input shape",
    'Reshape the decoder output (tfjs-layers reshape) or flatten the encoder input so they agree.',
  );
  const dataShape = xShape.slice(1) as number[];
  assertConfiguredDataShape(config.dataShape, dataShape);
  return [latentDim, dataShape];
}

/** Checks a `[batch, ...perExample]` float32 tensor (no readback). */
export function checkBatchShape(t: unknown, argument: string, perExample: readonly number[]): asserts t is tf.Tensor {
  assertTensor(t, argument);
  assertFloat(t, argument);
  assertShape(t, [null, ...perExample], argument);
}

/**
 * Checks a data batch before any weight changes: shape and dtype, then ONE readback for finite values and, when
 * `unitRange` (the Bernoulli likelihood), values in [0, 1].
 */
export async function checkDataBatch(
  batch: unknown,
  argument: string,
  dataShape: readonly number[],
  unitRange: boolean,
): Promise<void> {
  checkBatchShape(batch, argument, dataShape);
  await assertFiniteInRange(
    batch,
    argument,
    unitRange
      ? {
          bounds: [0, 1],
          reason: "the Bernoulli likelihood's range",
          hint: "Scale the data to [0, 1], or use likelihood 'gaussian'.",
        }
      : undefined,
  );
}

/** Checks one example, `[...dataShape]` or `[1, ...dataShape]`. */
export function checkSingleExample(t: unknown, argument: string, dataShape: readonly number[]): asserts t is tf.Tensor {
  assertTensor(t, argument);
  assertFloat(t, argument);
  const ok = [dataShape, [1, ...dataShape]].some((s) => sameShape(s, t.shape));
  if (!ok) {
    const expected = `one example, shape ${formatShape(dataShape)} or ${formatShape([1, ...dataShape])}`;
    throw new ShapeError(argument, expected, formatShape(t.shape));
  }
}

/** What the IWAE bound needs from the model: its encoder, its decoder and its per-example −log p(x|z). */
export interface LikelihoodTerms {
  /** x `[n, ...dataShape]` → q(z|x), each `[n, latentDim]`, in inference mode; the caller disposes both. */
  readonly encode: (x: tf.Tensor) => { readonly mean: tf.Tensor; readonly logVar: tf.Tensor };
  /** z `[n, latentDim]` → decoder output `[n, ...dataShape]`, in inference mode. */
  readonly decode: (z: tf.Tensor) => tf.Tensor;
  /** −log p(x|z) per example `[n]` from the decoder output. */
  readonly nll: (x: tf.Tensor, output: tf.Tensor) => tf.Tensor;
}

/** How {@link importanceWeightedNll} walks through the samples and the examples. */
export interface ImportanceSampling {
  /** Samples per example. */
  readonly k: number;
  /** Samples per chunk; undefined: as many as keep a chunk at `maxRows` decoded rows. */
  readonly chunkSize: number | undefined;
  /** Rows a chunk decodes at most (`chunkSize` itself when that is larger). */
  readonly maxRows: number;
  readonly seeds: SeedStream;
  /** Aborts between chunks. */
  readonly signal: AbortSignal | undefined;
  /** Runs after every yield, before the next chunk: throws if the model went away meanwhile. */
  readonly resume: () => void;
}

/**
 * −mean_x log((1/k)·Σ_i w_i), log w_i = log p(x|z_i) + log p(z_i) − log q(z_i|x), in chunks of c samples for b
 * examples at a time (c·b ≤ max(maxRows, c) decoded rows), so that memory is bounded whatever k and the batch size.
 * Each example's log-sum-exp over its k log-weights is streamed: a running maximum m and Σ_i exp(log w_i − m),
 * rescaled when m grows. With one chunk this is exactly tf.logSumExp; with several it agrees to float32 rounding.
 * Draws take one seed per chunk, block after block, so a batch that fits one block (c·batch ≤ maxRows) draws what
 * it always has. Between chunks the event loop runs (one macrotask) and the signal is checked.
 */
export async function importanceWeightedNll(
  x: tf.Tensor,
  plan: ImportanceSampling,
  terms: LikelihoodTerms,
): Promise<number> {
  const { k, seeds, signal } = plan;
  const n = x.shape[0] ?? 1;
  const samples = plan.chunkSize ?? Math.max(1, Math.floor(plan.maxRows / n));
  const examples = Math.max(1, Math.min(n, Math.floor(plan.maxRows / samples)));
  const pause = async (): Promise<void> => {
    await nextMacrotask();
    if (signal?.aborted === true) {
      // fetch's convention: reject with the signal's reason, an AbortError DOMException unless the caller gave one.
      throw signal.reason ?? Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    }
    plan.resume();
  };
  const perExample: tf.Tensor[] = []; // log((1/k)·Σ_i w_i), [b] per block
  const live: tf.Tensor[] = []; // what the current block holds
  let running: { max: tf.Tensor; sum: tf.Tensor } | undefined; // [b] each; sum = Σ exp(log w − max)
  try {
    for (let start = 0; start < n; start += examples) {
      const b = Math.min(examples, n - start);
      await pause();
      const xb = b === n ? x : tf.slice(x, start, b); // [b, ...dataShape]
      if (xb !== x) live.push(xb);
      const { mean, logVar } = terms.encode(xb);
      live.push(mean, logVar);
      for (let done = 0; done < k; done += samples) {
        if (done > 0) await pause();
        const c = Math.min(samples, k - done);
        const seed = seeds.next();
        const previous = running;
        running = tf.tidy(() => {
          const tiled = (t: tf.Tensor) => tf.tile(t, [c, ...t.shape.slice(1).map(() => 1)]); // [c·b, ...]
          const lv = tiled(logVar);
          const { z, eps } = reparameterize(tiled(mean), lv, seed); // [c·b, latentDim]
          const logW = tf.sub(logPriorOverPosterior(z, eps, lv), terms.nll(tiled(xb), terms.decode(z)));
          const grid = tf.reshape(logW, [c, b]); // sample-major, as tiled
          if (previous === undefined) {
            const max = tf.max(grid, 0); // [b]
            return { max, sum: tf.sum(tf.exp(tf.sub(grid, max)), 0) };
          }
          const max = tf.maximum(previous.max, tf.max(grid, 0));
          const rescaled = tf.mul(previous.sum, tf.exp(tf.sub(previous.max, max)));
          return { max, sum: tf.add(rescaled, tf.sum(tf.exp(tf.sub(grid, max)), 0)) };
        });
        if (previous !== undefined) tf.dispose([previous.max, previous.sum]);
      }
      const block = running as { max: tf.Tensor; sum: tf.Tensor };
      perExample.push(tf.tidy(() => tf.sub(tf.add(block.max, tf.log(block.sum)), Math.log(k))));
      tf.dispose([block.max, block.sum, ...live.splice(0)]);
      running = undefined;
    }
    const result = tf.tidy(() => {
      const all = perExample.length === 1 ? (perExample[0] as tf.Tensor) : tf.concat(perExample); // [batch]
      return tf.neg(tf.mean(all));
    });
    const [value = NaN] = await result.data();
    result.dispose();
    return value;
  } finally {
    tf.dispose([...perExample, ...live]);
    if (running !== undefined) tf.dispose([running.max, running.sum]);
  }
}
