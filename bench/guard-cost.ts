/**
 * The cost of the non-finite policy per training step: the finiteness probes (one Sum per written weight and per
 * optimizer slot the weights do not vouch for, stacked onto the step's single read-back) and the rollback snapshot (reference-counted holds on every weight and optimizer slot),
 * timed interleaved with whole library steps on wasm with the training kernels. Prints the median of per-pair ratios
 * (guard time ÷ neighbouring step time) and the fastest reps; never asserts on time. `npm run bench` measures the
 * same cost from the outside, as library ÷ raw beside library ÷ (raw + check).
 *
 *   npm run bench:guard
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { installWasmTrainingKernels } from 'tfjs-generative/wasm';
import { GAN, VAE, MLP_GAN_RECIPES, mlpDiscriminator, mlpGenerator } from 'tfjs-generative';
import { Rollback } from '../src/internal/rollback';
import { StateCheck } from '../src/internal/finite-check';

await tf.setBackend('wasm');
installWasmTrainingKernels();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function measure(name: string, model: GAN | VAE, batch: tf.Tensor) {
  for (let i = 0; i < 5; i++) await model.trainStep(batch);
  const parts = (model as any).stepParts();
  // The model's own check, already verified by the warm-up steps: the probes a step pays for from then on.
  const check = (model as any).step.check as StateCheck;
  const guard = async () => {
    await Promise.resolve();
    const rollback = new Rollback(parts.variables, parts.optimizers, parts.counters);
    // wasm runs kernels eagerly: no read is needed to pay for them, and the step's own read carries the probes.
    tf.dispose(tf.tidy(() => check.probe(parts.trained, parts.variables).probes));
    rollback.release();
  };
  const time = async (f: () => Promise<unknown>, n: number) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) await f();
    return (performance.now() - t) / n;
  };
  const ratios: number[] = [];
  const steps: number[] = [];
  const guards: number[] = [];
  for (let r = 0; r < 15; r++) {
    const s = await time(() => model.trainStep(batch), 10);
    const g = await time(guard, 10);
    steps.push(s);
    guards.push(g);
    ratios.push(g / s);
  }
  console.log(
    `${name}: step ${median(steps).toFixed(2)} ms (fastest ${Math.min(...steps).toFixed(2)}), guard ${(
      median(guards) * 1000
    ).toFixed(0)} µs (fastest ${(Math.min(...guards) * 1000).toFixed(0)}), median per-pair guard/step ${(
      100 * median(ratios)
    ).toFixed(2)}%`,
  );
}
const article = new GAN(
  { seed: 1 },
  {
    generator: mlpGenerator({ ...MLP_GAN_RECIPES.article.generator, seed: 1 }),
    discriminator: mlpDiscriminator({ ...MLP_GAN_RECIPES.article.discriminator, seed: 2 }),
  },
);
const data = tf.randomUniform([64, 784], -1, 1, 'float32', 1);
await measure('article GAN (wasm, kernels)', article, data);
const gan = new GAN({ seed: 1 });
await measure('recommended GAN (wasm, kernels)', gan, data);
const vae = new VAE({ seed: 1 });
const unit = tf.randomUniform([64, 784], 0, 1, 'float32', 2);
await measure('MLP VAE (wasm, kernels)', vae, unit);
console.log(
  `load ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
