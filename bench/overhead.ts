/**
 * Where the library's time over a hand-written loop goes: the library's step as shipped, without its input validation,
 * and without validation and the rollback snapshot, against raw + check and raw (bench/models.ts), all on one backend
 * with steps interleaved one by one as in `npm run bench`. The parts are switched off on the model instance (its
 * private `checkStep`/`checkBatch` and `stepParts`), so this follows the library's internals and is a diagnostic,
 * not a contender. Prints the median per-round ratio of each to raw + check, with a 95% interval.
 *
 *   npx tsx bench/overhead.ts --model article-gan --backend wasm --reps 31
 */

import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { installWasmTrainingKernels } from 'tfjs-generative/wasm';
import { MODELS, workload, type Contender, type ModelName } from './models';
import { loadAverage, median, medianInterval } from './stats';

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string', default: 'article-gan' },
    backend: { type: 'string', default: 'wasm' },
    kernels: { type: 'string', default: 'patched' },
    reps: { type: 'string', default: '31' },
    'rep-ms': { type: 'string', default: '400' },
    batch: { type: 'string', default: '64' },
  },
});
const model = flags.model as ModelName;
if (!MODELS.includes(model)) throw new Error(`--model must be one of ${MODELS.join(', ')}`);
await tf.setBackend(flags.backend!);
await tf.ready();
if (flags.backend === 'wasm' && flags.kernels === 'patched') installWasmTrainingKernels();
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

interface Internals {
  checkStep?: () => Promise<void>;
  checkBatch?: () => Promise<void>;
  stepParts(): { variables: unknown[]; optimizers: unknown[] };
}

/** The library side of a fresh workload, with parts of its step switched off. */
async function variant(validate: boolean, snapshot: boolean): Promise<{ side: Contender; dispose(): void }> {
  const w = await workload(model, Number(flags.batch));
  const lib = w.libraryModel as Internals;
  if (!validate) {
    if (lib.checkStep !== undefined) lib.checkStep = async () => {};
    if (lib.checkBatch !== undefined) lib.checkBatch = async () => {};
  }
  if (!snapshot) {
    const parts = lib.stepParts.bind(lib);
    lib.stepParts = () => ({ ...parts(), variables: [], optimizers: [] });
  }
  return { side: w.library, dispose: () => w.dispose() };
}

const base = await workload(model, Number(flags.batch));
const variants = [await variant(true, true), await variant(false, true), await variant(false, false)];
const names = ['library', 'no validation', 'no validation, no snapshot', 'raw + check', 'raw'];
const sides = [...variants.map((v) => v.side), base.checked, base.raw];
for (let i = 0; i < 2; i++) for (const s of sides) await s.step();

const times = sides.map(() => [] as number[]);
const one = performance.now();
await sides[0]!.step();
const steps = Math.max(1, Math.round(Number(flags['rep-ms']) / (performance.now() - one)));
const rotations = sides.map((_, r) => sides.map((__, i) => (i + r) % sides.length));
const orders = [...rotations, ...rotations.map((o) => [...o].reverse())];
const loadBefore = loadAverage();
for (let r = 0; r < Number(flags.reps); r++) {
  collectGarbage();
  const sum = sides.map(() => 0);
  for (let s = 0; s < steps; s++) {
    for (const i of orders[r % orders.length]!) {
      const start = performance.now();
      await sides[i]!.step();
      sum[i]! += performance.now() - start;
    }
  }
  sum.forEach((v, i) => times[i]!.push(v / steps));
}
const reference = times[3]!;
console.log(
  `${model} on ${flags.backend} (${flags.kernels}), ${flags.reps} rounds of ${steps} steps; load ${loadBefore[0]} → ${
    loadAverage()[0]
  }`,
);
names.forEach((name, i) => {
  const ratios = times[i]!.map((t, r) => t / reference[r]!);
  const [lo, hi] = medianInterval(ratios);
  console.log(
    `  ${name.padEnd(28)} ${median(times[i]!).toFixed(2)} ms/step; ÷ raw + check ${median(ratios).toFixed(3)} ` +
      `(${lo.toFixed(3)}–${hi.toFixed(3)})`,
  );
});
for (const v of variants) v.dispose();
base.dispose();
