/**
 * Cross-backend parity harness, shared by the Node test (cpu vs wasm, tests/parity/cpu-wasm.test.ts) and the browser
 * page (cpu vs webgl, examples/browser, asserted by tests/browser/page.test.ts). It imports neither vitest nor Node
 * modules, so Vite bundles it into the page unchanged.
 *
 * A run builds a small model from fixed seeds on one backend, copies in the reference run's initial weights (so both
 * start from the same numbers by construction), and calls `trainStep` on the same fixed batches, recording the logs
 * and every weight (trainable and not, e.g. batch-norm moving statistics) after each step. Noise and dropout masks are
 * seeded and drawn in JavaScript by tfjs-core, so both backends see the same ones.
 *
 * Compared quantities, per step k = 1..steps:
 * - every number in the step logs (losses, scores): |a − b| / max(|a|, |b|, LOG_FLOOR);
 * - every weight tensor: ‖a − b‖₂ / ‖a‖₂, the relative difference of the tensor as a whole; the element-wise
 *   max |a − b| is reported beside it, in units of the learning rate.
 *
 * Element-wise relative differences cannot meet 1e-5 and are not asserted: Adam divides each gradient by its own
 * running RMS, so an element whose gradient is near 0 (a sum that cancels, a ReLU input within rounding of 0) turns
 * float32 rounding noise into an update of up to ~0.1·lr. Measured cpu vs wasm over 5 steps: a handful of the VAE's
 * 50k first-layer weights differ by up to 2.7e-6 (lr 1e-3) while each tensor agrees to 4e-7 as a whole.
 *
 * Excluded: the bias of a dense layer that feeds batch normalisation, and that batch norm's moving mean. Batch norm
 * subtracts the batch mean, so the bias has no effect on any training output and its gradient is exactly 0 in exact
 * arithmetic; each backend trains it on its own rounding noise, which Adam amplifies to ~0.1·lr per step, so no two
 * backends (or summation orders) agree on it. The moving mean averages that bias in (1 % per step) and inherits the
 * noise: cpu vs wasm it differs by 1e-4 of its norm after 5 steps, while every other weight agrees to 1e-6.
 */

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { GAN, VAE, mlpDecoder, mlpDiscriminator, mlpEncoder, mlpGenerator } from '../../src';
import { mulberry32 as random } from '../../examples/lib/prng';

/** Which model a parity run trains. */
export type ParityModel = 'gan' | 'vae';

/** A parity run's settings; the defaults are what the tests and the page use. */
export interface ParityOptions {
  /** Training steps compared (default 5). */
  readonly steps?: number;
  /** Examples per batch (default 16). */
  readonly batchSize?: number;
  /** Seed of weights, noise and data (default 7). */
  readonly seed?: number;
  /**
   * Build Adam without ε, so each backend uses its own `tf.backend().epsilon()` (webgl: 1e-4, cpu: 1e-7), as an
   * application that forgets to pass it would. A control: the models pass 1e-7 explicitly (default false).
   */
  readonly tfjsDefaultEpsilon?: boolean;
}

/** What one backend produced. */
export interface ParityTrace {
  readonly backend: string;
  readonly model: ParityModel;
  /** Weight names, in the order of `weights[k]`. */
  readonly names: readonly string[];
  /** The logs of each step. */
  readonly logs: readonly Readonly<Record<string, number>>[];
  /** Every weight after each step: `weights[k][i]` is weight `names[i]` after step k + 1. */
  readonly weights: readonly (readonly Float32Array[])[];
  /** The weights before the first step. */
  readonly initial: readonly Float32Array[];
  /** Indices of weights left out of the comparison (see the module comment). */
  readonly excluded: readonly number[];
  /** The optimizer's learning rate. */
  readonly learningRate: number;
}

/** The largest differences of one step. */
export interface ParityStep {
  readonly step: number;
  /** Largest relative difference over the step's logs, and which log it was. */
  readonly logs: number;
  readonly worstLog: string;
  /** Largest ‖a − b‖₂ / ‖a‖₂ over the compared weight tensors, and which weight it was. */
  readonly weights: number;
  readonly worstWeight: string;
  /** Largest element-wise |a − b| over the compared weights, divided by the learning rate. */
  readonly maxAbsOverLr: number;
}

/** Per-step comparison of two traces. */
export interface ParityReport {
  readonly model: ParityModel;
  readonly backends: readonly [string, string];
  readonly steps: readonly ParityStep[];
  /** Maxima over all steps. */
  readonly maxLogs: number;
  readonly maxWeights: number;
  /** Weights left out of the comparison (biases feeding batch norm), by name. */
  readonly excluded: readonly string[];
}

/** Denominator floor of log comparisons: logs smaller than this are compared absolutely. */
export const LOG_FLOOR = 1e-3;

interface Subject {
  trainStep(batch: tf.Tensor): Promise<Readonly<Record<string, number>>>;
  readonly networks: readonly tfl.LayersModel[];
  readonly learningRate: number;
  dispose(): void;
}

type Weight = tfl.LayersModel['weights'][number];

function weightsOf(subject: Subject): Weight[] {
  return subject.networks.flatMap((n) => n.weights);
}

/** Indices (into weightsOf) of biases that feed a batch-norm layer directly, and of that layer's moving mean. */
function biasesBeforeBatchNorm(subject: Subject): Set<number> {
  const weights = weightsOf(subject);
  const excluded = new Set<number>();
  // tfjs-layers names a later model's variables `…/bias_2`, `…/bias_3`, ….
  const named = (layer: tfl.layers.Layer, name: string): Weight[] =>
    layer.weights.filter((w) => new RegExp(`/${name}(_\\d+)?$`).test(w.name));
  for (const network of subject.networks) {
    network.layers.forEach((layer, i) => {
      const next = network.layers[i + 1];
      if (next?.getClassName() !== 'BatchNormalization') return;
      const bias = named(layer, 'bias');
      if (bias.length === 0) return;
      for (const w of [...bias, ...named(next, 'moving_mean')]) excluded.add(weights.indexOf(w));
    });
  }
  return excluded;
}

const PIXELS = 784;

/** A small GAN with every layer kind of the recommended recipe: batch norm, LeakyReLU and seeded dropout. */
function parityGan(seed: number, tfjsDefaultEpsilon: boolean): Subject {
  const optimizers = tfjsDefaultEpsilon
    ? { generatorOptimizer: tf.train.adam(2e-4, 0.5), discriminatorOptimizer: tf.train.adam(2e-4, 0.5) }
    : {};
  const gan = new GAN(
    { seed, ...optimizers },
    {
      generator: mlpGenerator({ latentDim: 16, hiddenUnits: [64], activation: 'leakyRelu', batchNorm: true, seed: seed + 1 }),
      discriminator: mlpDiscriminator({ hiddenUnits: [64], activation: 'leakyRelu', dropout: 0.3, seed: seed + 2 }),
    },
  );
  return {
    trainStep: (batch) => gan.trainStep(batch),
    networks: [gan.generator, gan.discriminator],
    learningRate: 2e-4, // the GAN's default Adam
    dispose: () => gan.dispose(),
  };
}

/** A small MLP VAE with the Bernoulli likelihood. */
function parityVae(seed: number, tfjsDefaultEpsilon: boolean): Subject {
  const vae = new VAE(
    { seed, ...(tfjsDefaultEpsilon ? { optimizer: tf.train.adam(1e-3) } : {}) },
    {
      encoder: mlpEncoder({ hiddenUnits: [64], latentDim: 8, seed: seed + 1 }),
      decoder: mlpDecoder({ hiddenUnits: [64], latentDim: 8, seed: seed + 2 }),
    },
  );
  return {
    trainStep: (batch) => vae.trainStep(batch),
    networks: [vae.encoder, vae.decoder],
    learningRate: 1e-3, // the VAE's default Adam
    dispose: () => vae.dispose(),
  };
}

/** Sparse digit-like batches: 80 % background, the rest ink of random strength; in [-1, 1] (GAN) or [0, 1] (VAE). */
function batches(model: ParityModel, count: number, batchSize: number, seed: number): Float32Array[] {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const values = new Float32Array(batchSize * PIXELS);
    for (let i = 0; i < values.length; i++) {
      const ink = next() < 0.2 ? next() : 0;
      values[i] = model === 'gan' ? 2 * ink - 1 : ink;
    }
    return values;
  });
}

async function readAll(subject: Subject): Promise<Float32Array[]> {
  // A copy: the cpu backend hands out its own buffer, which a later in-place kernel could reuse.
  return Promise.all(weightsOf(subject).map(async (w) => ((await w.read().data()) as Float32Array).slice()));
}

/**
 * Trains `model` for `options.steps` steps on `backend` and records its logs and weights. With `reference`, starts
 * from its initial weights. Restores the previously active backend afterwards.
 */
export async function parityTrace(
  model: ParityModel,
  backend: string,
  options: ParityOptions = {},
  reference?: ParityTrace,
): Promise<ParityTrace> {
  const { steps = 5, batchSize = 16, seed = 7, tfjsDefaultEpsilon = false } = options;
  const previous = tf.getBackend();
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  await tf.ready();
  const subject = model === 'gan' ? parityGan(seed, tfjsDefaultEpsilon) : parityVae(seed, tfjsDefaultEpsilon);
  const data = batches(model, steps, batchSize, seed);
  try {
    if (reference !== undefined) {
      weightsOf(subject).forEach((w, i) => {
        const values = reference.initial[i];
        if (values === undefined) throw new Error(`reference has no weight ${i} (${w.name})`);
        tf.tidy(() => {
          w.write(tf.tensor(values, w.read().shape, 'float32'));
        });
      });
    }
    const initial = await readAll(subject);
    const logs: Readonly<Record<string, number>>[] = [];
    const weights: Float32Array[][] = [];
    for (const values of data) {
      const batch = tf.tensor2d(values, [batchSize, PIXELS]);
      try {
        logs.push({ ...(await subject.trainStep(batch)) });
      } finally {
        batch.dispose();
      }
      weights.push(await readAll(subject));
    }
    return {
      backend,
      model,
      names: weightsOf(subject).map((w) => w.name),
      logs,
      weights,
      initial,
      excluded: [...biasesBeforeBatchNorm(subject)],
      learningRate: subject.learningRate,
    };
  } finally {
    subject.dispose();
    await tf.setBackend(previous);
  }
}


/** Compares two traces of the same model step by step (see the module comment for the formulas). */
export function compareTraces(a: ParityTrace, b: ParityTrace): ParityReport {
  if (a.model !== b.model || a.logs.length !== b.logs.length) throw new Error('traces of different runs');
  const steps = a.logs.map((logsA, k): ParityStep => {
    const logsB = b.logs[k]!;
    let logs = 0;
    let worstLog = '';
    for (const [key, x] of Object.entries(logsA)) {
      const y = logsB[key] ?? NaN;
      const d = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), LOG_FLOOR);
      if (!(d <= logs)) [logs, worstLog] = [d, key]; // NaN propagates as the worst
    }
    let weights = 0;
    let worstWeight = '';
    let maxAbs = 0;
    a.weights[k]!.forEach((wa, i) => {
      if (a.excluded.includes(i)) return;
      const wb = b.weights[k]![i]!;
      let diff2 = 0;
      let norm2 = 0;
      for (let j = 0; j < wa.length; j++) {
        const d = Math.abs(wa[j]! - wb[j]!);
        diff2 += d * d;
        norm2 += wa[j]! * wa[j]!;
        if (!(d <= maxAbs)) maxAbs = d;
      }
      const rel = Math.sqrt(diff2) / Math.max(Math.sqrt(norm2), Number.MIN_VALUE);
      if (!(rel <= weights)) [weights, worstWeight] = [rel, a.names[i]!];
    });
    return { step: k + 1, logs, worstLog, weights, worstWeight, maxAbsOverLr: maxAbs / a.learningRate };
  });
  return {
    model: a.model,
    backends: [a.backend, b.backend],
    steps,
    maxLogs: Math.max(...steps.map((s) => s.logs)),
    maxWeights: Math.max(...steps.map((s) => s.weights)),
    excluded: a.excluded.map((i) => a.names[i]!),
  };
}

/** Runs `model` on `reference` then on `other` from the same weights and compares them. */
export async function runParity(
  model: ParityModel,
  reference: string,
  other: string,
  options: ParityOptions = {},
): Promise<ParityReport> {
  const a = await parityTrace(model, reference, options);
  const b = await parityTrace(model, other, options, a);
  return compareTraces(a, b);
}
