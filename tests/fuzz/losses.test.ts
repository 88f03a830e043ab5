/**
 * Fuzz: every loss of src/losses.
 *
 * Cases per CI run (FC_RUNS=1): ill-formed calls 300 (GAN losses) + 200 (VAE losses); in-domain calls 200 (GAN
 * losses, value and gradient) + 150 (VAE losses, value and gradient). 850 in all. The GAN losses are every exported
 * `*GeneratorLoss`/`*DiscriminatorLoss` (minimax, non-saturating, their probability forms, Wasserstein, hinge, least
 * squares, and any family added later).
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import * as library from '../../src';
import { bernoulliReconstructionLoss, gaussianKlDivergence, gaussianReconstructionLoss, negativeElbo } from '../../src';
import {
  FINITE_FILLS,
  firstNonFinite,
  fuzz,
  options,
  probe,
  realize,
  specValues,
  tensorOrJunk,
  tensorSpec,
  type Fill,
} from './arbitraries';

type AnyFn = (...args: unknown[]) => unknown;

/**
 * Every exported GAN loss of the usual form, found by name so a new family is fuzzed without a line here:
 * `<family>GeneratorLoss[FromProbabilities](fake, options)` and `<family>DiscriminatorLoss[...](real, fake, options)`.
 * The AC-GAN losses take class labels too and are left to the export sweep (tests/fuzz/exports.test.ts).
 */
const exported = library as unknown as Record<string, unknown>;
const lossesNamed = (pattern: RegExp): Record<string, AnyFn> =>
  Object.fromEntries(
    Object.keys(exported)
      .filter((name) => pattern.test(name) && !name.startsWith('acgan') && typeof exported[name] === 'function')
      .map((name) => [name, exported[name] as AnyFn]),
  );
const GENERATOR_LOSSES = lossesNamed(/^[a-z]\w*GeneratorLoss(FromProbabilities)?$/);
const DISCRIMINATOR_LOSSES = lossesNamed(/^[a-z]\w*DiscriminatorLoss(FromProbabilities)?$/);

/** The loss family of an export name: `minimax`, `nonSaturating`, `wasserstein`, `hinge`, `leastSquares`, ... */
const family = (name: string): string => name.replace(/(Generator|Discriminator)Loss(FromProbabilities)?$/, '');
/**
 * Families whose per-element terms are finite for any finite logit (softplus(x) ≤ |x| + log 2) and all of one sign,
 * so only a sum can overflow, to ±Infinity, never to NaN. A squared term overflows per element beyond ~1.8e19, and
 * 0 · ∞ or ∞ − ∞ is NaN there: float32's range, checked up to ±1e4 only.
 */
const SAME_SIGN = new Set(['minimax', 'nonSaturating']);

const SHAPES = [[4, 1], [4], [2, 3], [1, 1], [3, 2, 2]] as const;
const reduction = fc.constantFrom('mean', 'sum', 'none');
const weightValue = fc.oneof(
  fc.double({ min: 0, max: 10, noNaN: true }),
  tensorSpec({ shapes: [[4, 1], [1], [4, 4], [2, 3]], fills: ['unit', 'zeros'] }),
);
const label = fc.double({ min: -2, max: 2, noNaN: true });
const generatorOptions = options({
  reduction,
  weights: weightValue,
  epsilon: fc.double({ min: 1e-7, max: 0.5, noNaN: true }),
  realLabel: label,
});
const discriminatorOptions = options({
  reduction,
  labelSmoothing: fc.double({ min: 0, max: 1, noNaN: true }),
  realWeights: weightValue,
  fakeWeights: weightValue,
  epsilon: fc.double({ min: 1e-7, max: 0.5, noNaN: true }),
  realLabel: label,
  fakeLabel: label,
});

/** `y` plus 0·Σx for each input, so tf.grads accepts inputs a loss ignores (their gradient is then 0). */
function withAll(y: tf.Tensor, xs: tf.Tensor[]): tf.Scalar {
  return xs.reduce((acc: tf.Tensor, x) => tf.add(acc, tf.mul(tf.sum(x), 0)), y) as tf.Scalar;
}

/** Whether a loss name takes probabilities (and so the `epsilon` option). */
const takesProbabilities = (name: string) => name.endsWith('FromProbabilities');

describe('GAN losses: ill-formed input', () => {
  it('throw only typed errors naming an argument, never touch the inputs, never leak', async () => {
    const call = fc.oneof(
      fc.record({
        name: fc.constantFrom(...Object.keys(GENERATOR_LOSSES)),
        args: fc.tuple(tensorOrJunk({ shapes: SHAPES }), generatorOptions),
      }),
      fc.record({
        name: fc.constantFrom(...Object.keys(DISCRIMINATOR_LOSSES)),
        args: fc.tuple(tensorOrJunk({ shapes: SHAPES }), tensorOrJunk({ shapes: SHAPES }), discriminatorOptions),
      }),
    );
    await fuzz(
      101,
      300,
      fc.asyncProperty(call, async ({ name, args }) => {
        const made: tf.Tensor[] = [];
        try {
          const real = args.map((a) => realize(a, made));
          const fn = GENERATOR_LOSSES[name] ?? DISCRIMINATOR_LOSSES[name]!;
          await probe(() => fn(...real), {
            label: name,
            inputs: made,
            arguments: ['fakeLogits', 'realLogits', 'fakeProbabilities', 'realProbabilities', 'options'],
          });
        } finally {
          tf.dispose(made);
        }
      }),
    );
  });
});

/** Finite logits of one shape (±1e4 for every family; up to ±3e38 too) with valid options. */
function inDomainGan() {
  const finite = fc.constantFrom<Fill>(...FINITE_FILLS);
  return fc.record({
    name: fc.constantFrom(...Object.keys(GENERATOR_LOSSES), ...Object.keys(DISCRIMINATOR_LOSSES)),
    shape: fc.constantFrom(...SHAPES.map((s) => [...s])),
    realFill: finite,
    fakeFill: finite,
    seed: fc.nat({ max: 1_000_000 }),
    reduction,
    labelSmoothing: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    weight: fc.option(fc.double({ min: 0, max: 1e3, noNaN: true })),
    epsilon: fc.option(fc.double({ min: 3e-8, max: 0.5, noNaN: true })),
    labels: fc.option(fc.tuple(label, label)),
  });
}

describe('GAN losses: finite in-domain input', () => {
  const count = `${Object.keys(GENERATOR_LOSSES).length} G and ${Object.keys(DISCRIMINATOR_LOSSES).length} D losses`;
  it(`(${count}) give finite values and gradients for logits up to ±1e4, and no NaN up to ±3e38`, async () => {
    expect(Object.keys(GENERATOR_LOSSES).length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(DISCRIMINATOR_LOSSES).length).toBeGreaterThanOrEqual(2);
    await fuzz(
      102,
      200,
      fc.asyncProperty(inDomainGan(), async (c) => {
        const probs = takesProbabilities(c.name);
        const kind = family(c.name);
        // Probabilities are any finite number (they are clipped); logits any finite float32.
        const realValues = specValues({ shape: c.shape, fill: c.realFill, seed: c.seed });
        const fakeValues = specValues({ shape: c.shape, fill: c.fakeFill, seed: c.seed + 1 });
        const real = tf.tensor(realValues, c.shape);
        const fake = tf.tensor(fakeValues, c.shape);
        try {
          const isD = c.name in DISCRIMINATOR_LOSSES;
          const opts: Record<string, unknown> = { reduction: c.reduction };
          if (probs && c.epsilon !== null) opts['epsilon'] = c.epsilon;
          if (isD && kind === 'minimax' && c.labelSmoothing !== null) opts['labelSmoothing'] = c.labelSmoothing;
          if (kind === 'leastSquares' && c.labels !== null) {
            opts['realLabel'] = c.labels[0];
            if (isD) opts['fakeLabel'] = c.labels[1];
          }
          if (c.weight !== null) opts[isD ? 'fakeWeights' : 'weights'] = c.weight;
          const fn = isD ? DISCRIMINATOR_LOSSES[c.name]! : GENERATOR_LOSSES[c.name]!;
          const loss = (r: tf.Tensor, f: tf.Tensor) => (isD ? fn(r, f, opts) : fn(f, opts)) as tf.Tensor;
          const { values } = await probe(() => loss(real, fake), {
            label: c.name,
            inputs: [real, fake],
            arguments: [],
          });
          // Near float32's largest value a sum or mean of several terms overflows to ±Infinity, an honest answer
          // (and, for a family whose terms differ in sign, ∞ − ∞ is NaN: float32's range, not a bug); below that
          // every value is finite.
          const extreme = c.realFill === 'extreme' || c.fakeFill === 'extreme';
          if (extreme && !SAME_SIGN.has(kind)) return;
          const bad = extreme ? values[0]!.findIndex(Number.isNaN) : firstNonFinite(values[0]!);
          expect(bad, `${c.name} value ${values[0]![bad]} at ${bad}`).toBe(-1);
          const grads = tf.grads((r: tf.Tensor, f: tf.Tensor) => withAll(tf.sum(loss(r, f)), [r, f]))([real, fake]);
          const gradValues = await Promise.all(grads.map((g) => g.data()));
          tf.dispose(grads);
          gradValues.forEach((g, i) => expect(firstNonFinite(g), `${c.name} gradient ${i}`).toBe(-1));
        } finally {
          tf.dispose([real, fake]);
        }
      }),
    );
  });
});

const VAE_SHAPES = [
  [2, 3],
  [1, 1],
  [3, 2, 2],
  [2, 4],
] as const;
const LATENT_SHAPES = [
  [2, 2],
  [3, 2],
  [1, 1],
  [2, 3],
] as const;

describe('VAE losses: ill-formed input', () => {
  it('throw only typed errors naming an argument, never touch the inputs, never leak', async () => {
    const t = (shapes: readonly (readonly number[])[]) => tensorOrJunk({ shapes });
    const call = fc.oneof(
      fc.record({
        name: fc.constant('bernoulliReconstructionLoss'),
        args: fc.tuple(t(VAE_SHAPES), t(VAE_SHAPES), options({ reduction })),
      }),
      fc.record({
        name: fc.constant('gaussianReconstructionLoss'),
        args: fc.tuple(
          t(VAE_SHAPES),
          t(VAE_SHAPES),
          options({
            reduction,
            logVar: fc.oneof(
              fc.double({ min: -10, max: 10, noNaN: true }),
              tensorSpec({ shapes: [[], [3], [2, 3], [5]] }),
            ),
            includeConstant: fc.boolean(),
          }),
        ),
      }),
      fc.record({
        name: fc.constant('gaussianKlDivergence'),
        args: fc.tuple(t(LATENT_SHAPES), t(LATENT_SHAPES), options({ reduction })),
      }),
      fc.record({
        name: fc.constant('negativeElbo'),
        args: fc.tuple(
          t(VAE_SHAPES),
          t(VAE_SHAPES),
          t(LATENT_SHAPES),
          t(LATENT_SHAPES),
          options({
            reduction,
            beta: fc.double({ min: 0, max: 10, noNaN: true }),
            likelihood: fc.constantFrom('bernoulli', 'gaussian'),
            decoderLogVar: fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), tensorSpec({ shapes: [[], [3]] })),
            includeConstant: fc.boolean(),
          }),
        ),
      }),
    );
    const fns: Record<string, AnyFn> = {
      bernoulliReconstructionLoss: bernoulliReconstructionLoss as AnyFn,
      gaussianReconstructionLoss: gaussianReconstructionLoss as AnyFn,
      gaussianKlDivergence: gaussianKlDivergence as AnyFn,
      negativeElbo: negativeElbo as AnyFn,
    };
    await fuzz(
      103,
      200,
      fc.asyncProperty(call, async ({ name, args }) => {
        const made: tf.Tensor[] = [];
        try {
          const real = (args as unknown[]).map((a) => realize(a, made));
          await probe(() => fns[name]!(...real), {
            label: name,
            inputs: made,
            arguments: ['targets', 'logits', 'mean', 'logVar', 'decoderOutput', 'options'],
          });
        } finally {
          tf.dispose(made);
        }
      }),
    );
  });
});

describe('VAE losses: finite in-domain input', () => {
  it('give finite values and gradients: targets in [0, 1] for Bernoulli, any finite log-variance', async () => {
    const c = fc.record({
      name: fc.constantFrom('bernoulli', 'gaussian', 'kl', 'elbo-bernoulli', 'elbo-gaussian'),
      data: fc.constantFrom(...VAE_SHAPES.map((s) => [...s])),
      latent: fc.integer({ min: 1, max: 3 }),
      outputFill: fc.constantFrom<Fill>('unit', 'symmetric', 'wide', 'big', 'zeros'),
      meanFill: fc.constantFrom<Fill>('symmetric', 'wide', 'big', 'zeros'),
      logVar: fc.oneof(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true })),
      seed: fc.nat({ max: 1_000_000 }),
      reduction,
      beta: fc.double({ min: 0, max: 100, noNaN: true }),
      includeConstant: fc.boolean(),
    });
    await fuzz(
      104,
      150,
      fc.asyncProperty(c, async (k) => {
        const batch = k.data[0]!;
        const targets = tf.tensor(specValues({ shape: k.data, fill: 'unit', seed: k.seed }), k.data);
        const output = tf.tensor(specValues({ shape: k.data, fill: k.outputFill, seed: k.seed + 1 }), k.data);
        const mean = tf.tensor(specValues({ shape: [batch, k.latent], fill: k.meanFill, seed: k.seed + 2 }), [
          batch,
          k.latent,
        ]);
        const logVar = tf.mul(tf.onesLike(mean), k.logVar);
        const inputs = [targets, output, mean, logVar];
        const r = { reduction: k.reduction };
        const fn = (t: tf.Tensor, o: tf.Tensor, m: tf.Tensor, lv: tf.Tensor): tf.Tensor => {
          switch (k.name) {
            case 'bernoulli':
              return bernoulliReconstructionLoss(t, o, r);
            case 'gaussian':
              return gaussianReconstructionLoss(t, o, { ...r, logVar: k.logVar, includeConstant: k.includeConstant });
            case 'kl':
              return gaussianKlDivergence(m, lv, r);
            case 'elbo-bernoulli':
              return tf.tidy(() => negativeElbo(t, o, m, lv, { ...r, beta: k.beta }).loss);
            default:
              return tf.tidy(
                () =>
                  negativeElbo(t, o, m, lv, { ...r, beta: k.beta, likelihood: 'gaussian', decoderLogVar: k.logVar })
                    .loss,
              );
          }
        };
        try {
          const { values } = await probe(() => fn(targets, output, mean, logVar), {
            label: k.name,
            inputs,
            arguments: [],
          });
          // Overflow to +Infinity is an honest answer for exp(30)·(1e4)²-sized terms; NaN never is.
          expect(values[0]!.some(Number.isNaN), `${k.name}: NaN in [${values[0]!.join(', ')}]`).toBe(false);
          const grads = tf.grads((t: tf.Tensor, o: tf.Tensor, m: tf.Tensor, lv: tf.Tensor) =>
            withAll(tf.sum(fn(t, o, m, lv)), [t, o, m, lv]),
          )(inputs);
          const gradValues = await Promise.all(grads.map((g) => g.data()));
          tf.dispose(grads);
          gradValues.forEach((g, i) =>
            expect(Array.from(g).some(Number.isNaN), `${k.name}: NaN in gradient ${i}`).toBe(false),
          );
        } finally {
          tf.dispose(inputs);
        }
      }),
    );
  });
});
