/**
 * Training-step benchmark: the library's `trainStep` against a hand-written tfjs loop doing the same maths, per model
 * and backend, in interleaved reps (library, raw, raw, library, …). Prints medians, their ratio and peak memory; it
 * never asserts on time and is not part of `npm test`.
 *
 *   npm run bench                                    # every default row (about 3.5 minutes on 2 cores)
 *   npm run bench -- --model vae --backend wasm --kernels patched --reps 7
 *   npm run bench -- --model dcgan --backend cpu --reps 1 --steps 1   # minutes per step: not a default row
 *   npm run bench -- --json                          # one JSON object per row
 *
 * The machine's load average is printed with every row: on a shared machine, compare rows taken at similar load.
 */

import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from 'tfjs-generative/wasm';
import { MODELS, workload, type Contender, type ModelName } from './models';
import { loadAverage, markdownTable, median, type BenchRow, type SkippedRow } from './stats';

type Kernels = 'stock' | 'patched' | '-';
interface Plan {
  readonly model: ModelName;
  readonly backend: 'cpu' | 'wasm';
  readonly kernels: Kernels;
}

const USAGE = `Usage: npm run bench -- [--model article-gan|vae|dcgan]... [--backend cpu|wasm]... [--kernels stock|patched]...
                        [--reps N] [--steps N] [--batch N] [--json]`;

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string', multiple: true },
    backend: { type: 'string', multiple: true },
    kernels: { type: 'string', multiple: true },
    reps: { type: 'string' },
    steps: { type: 'string' },
    batch: { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be an integer >= 1, got ${text}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

function choices<T extends string>(name: string, given: string[] | undefined, all: readonly T[]): readonly T[] {
  for (const g of given ?? []) {
    if (!all.includes(g as T)) {
      console.error(`--${name} must be one of ${all.join(', ')}, got ${g}\n${USAGE}`);
      process.exit(2);
    }
  }
  return given === undefined ? all : (given as T[]);
}

const models = choices('model', flags.model, MODELS);
const backends = choices('backend', flags.backend, ['cpu', 'wasm'] as const);
const kernelSets = choices('kernels', flags.kernels, ['stock', 'patched'] as const);
const batchSize = positive('batch', flags.batch) ?? 64;
const repsFlag = positive('reps', flags.reps);
const stepsFlag = positive('steps', flags.steps);

/** Steps per rep, sized so one rep takes one to three seconds on a 2-core machine. */
function defaultSteps(p: Plan): number {
  if (p.model === 'dcgan') return p.backend === 'cpu' ? 1 : 3;
  if (p.backend === 'cpu') return 6;
  return p.kernels === 'patched' ? 100 : 30;
}

/** A DCGAN step on cpu takes minutes (its Conv2DBackpropFilter is a scalar loop): only run when asked for. */
function skippedByDefault(p: Plan): string | undefined {
  const askedForIt = flags.model?.includes('dcgan') === true && flags.backend?.includes('cpu') === true;
  if (p.model === 'dcgan' && p.backend === 'cpu' && !askedForIt) {
    return 'minutes per step; run with --model dcgan --backend cpu';
  }
  return undefined;
}

const plans: Plan[] = [];
for (const model of models) {
  for (const backend of backends) {
    if (backend === 'cpu') plans.push({ model, backend, kernels: '-' });
    else for (const kernels of kernelSets) plans.push({ model, backend, kernels });
  }
}

async function useBackend(p: Plan): Promise<void> {
  await tf.setBackend(p.backend);
  await tf.ready();
  if (p.kernels === 'patched') installWasmTrainingKernels();
  else uninstallWasmTrainingKernels();
}

/** Mean milliseconds per step over `steps` consecutive steps. */
async function timeSteps(c: Contender, steps: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < steps; i++) await c.step();
  return (performance.now() - start) / steps;
}

/** Peak live tensors and bytes during one step, from tf.profile (run outside the timed reps: it records kernels). */
async function peaks(c: Contender): Promise<[number, number]> {
  const info = await tf.profile(async () => {
    await c.step();
    return [];
  });
  const tensors = Math.max(tf.memory().numTensors, ...info.kernels.map((k) => k.totalTensorsSnapshot));
  return [tensors, info.peakBytes];
}

async function measure(p: Plan): Promise<BenchRow | SkippedRow> {
  const skip = skippedByDefault(p);
  if (skip !== undefined) return { ...p, skipped: skip };
  await useBackend(p);
  const steps = stepsFlag ?? defaultSteps(p);
  const reps = repsFlag ?? (p.model === 'dcgan' && p.backend === 'cpu' ? 1 : 7);
  const w = workload(p.model, batchSize);
  try {
    try {
      // Warm-up: kernel setup, optimizer slots, JIT; a backend that cannot train the model fails here.
      for (let i = 0; i < 2; i++) {
        await w.library.step();
        await w.raw.step();
      }
    } catch (e) {
      const message = (e as Error).message;
      const lacking = /needs (.+?)(?: for layers|, not registered)/.exec(message)?.[1];
      return { ...p, skipped: `cannot train: ${lacking === undefined ? message : `lacks ${lacking}`}` };
    }
    const loadBefore = loadAverage();
    const libraryMs: number[] = [];
    const rawMs: number[] = [];
    for (let r = 0; r < reps; r++) {
      // Interleaved, and each side goes first in every other rep, so load drifts and position effects cancel.
      if (r % 2 === 0) {
        libraryMs.push(await timeSteps(w.library, steps));
        rawMs.push(await timeSteps(w.raw, steps));
      } else {
        rawMs.push(await timeSteps(w.raw, steps));
        libraryMs.push(await timeSteps(w.library, steps));
      }
    }
    const loadAfter = loadAverage();
    const [libraryTensors, libraryBytes] = await peaks(w.library);
    const [rawTensors, rawBytes] = await peaks(w.raw);
    const lib = median(libraryMs);
    const raw = median(rawMs);
    return {
      ...p,
      batch: batchSize,
      steps,
      reps,
      library_ms: libraryMs.map((v) => Math.round(v * 100) / 100),
      raw_ms: rawMs.map((v) => Math.round(v * 100) / 100),
      library_steps_per_s: 1000 / lib,
      raw_steps_per_s: 1000 / raw,
      ratio: lib / raw,
      library_peak_tensors: libraryTensors,
      raw_peak_tensors: rawTensors,
      library_peak_bytes: libraryBytes,
      raw_peak_bytes: rawBytes,
      load_before: loadBefore,
      load_after: loadAfter,
    };
  } finally {
    w.dispose();
    uninstallWasmTrainingKernels();
  }
}

if (!flags.json) {
  console.log(`tfjs ${tf.version_core}, Node ${process.version}, batch ${batchSize}; load average ${loadAverage().join(' ')}`);
}
const rows: (BenchRow | SkippedRow)[] = [];
for (const p of plans) {
  const row = await measure(p);
  rows.push(row);
  if (flags.json) console.log(JSON.stringify(row));
  else if ('skipped' in row) console.log(`${p.model} ${p.backend} ${p.kernels}: skipped (${row.skipped})`);
  else {
    console.log(
      `${p.model} ${p.backend} ${p.kernels}: library ${row.library_steps_per_s.toFixed(2)} steps/s, ` +
        `raw ${row.raw_steps_per_s.toFixed(2)}, ratio ${row.ratio.toFixed(3)} ` +
        `(${row.reps} reps of ${row.steps} steps; load ${row.load_before[0]} → ${row.load_after[0]})`,
    );
  }
}
if (!flags.json) console.log(`\n${markdownTable(rows)}`);
