/**
 * Training-step benchmark: the library's `trainStep` against a hand-written tfjs loop doing the same maths and against
 * PyTorch (bench/torch_bench.py, 2 threads), per model and backend, in interleaved reps (library, raw, PyTorch in a
 * rotating order). Each row reports the median of per-rep ratios (every library rep against the raw and PyTorch reps
 * that ran next to it) and the fastest reps beside them; it never asserts on time and is not part of `npm test`.
 *
 *   npm run bench                                    # every default row (a few minutes on 2 cores)
 *   npm run bench -- --model vae --backend wasm --kernels patched --reps 7
 *   npm run bench -- --model dcgan --backend tensorflow     # needs @tensorflow/tfjs-node in node_modules
 *   npm run bench -- --model dcgan --backend cpu --reps 1 --steps 1   # minutes per step: not a default row
 *   npm run bench -- --no-torch --json                # tfjs only; one JSON object per row
 *
 * The machine's load average is printed with every row: on a shared machine, compare rows taken at similar load.
 */

import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from 'tfjs-generative/wasm';
import { MODELS, workload, type Contender, type ModelName } from './models';
import {
  loadAverage,
  markdownTable,
  median,
  pairedRatio,
  rate,
  type BenchRow,
  type SkippedRow,
  type TorchSide,
} from './stats';
import { loadTensorflowBackend, oneDnnSetting } from './tensorflow';
import { TorchProcess, type Rep } from './torch';

const BACKENDS = ['cpu', 'wasm', 'tensorflow'] as const;
type Backend = (typeof BACKENDS)[number];
type Kernels = 'stock' | 'patched' | '-';
interface Plan {
  readonly model: ModelName;
  readonly backend: Backend;
  readonly kernels: Kernels;
}

const USAGE = `Usage: npm run bench -- [--model article-gan|vae|dcgan]... [--backend cpu|wasm|tensorflow]...
                        [--kernels stock|patched]... [--reps N] [--steps N] [--rep-ms N] [--batch N]
                        [--no-torch] [--torch-threads N] [--json]`;

const { values: flags } = parseArgs({
  allowNegative: true,
  options: {
    model: { type: 'string', multiple: true },
    backend: { type: 'string', multiple: true },
    kernels: { type: 'string', multiple: true },
    reps: { type: 'string' },
    steps: { type: 'string' },
    'rep-ms': { type: 'string', default: '600' },
    batch: { type: 'string', default: '64' },
    torch: { type: 'boolean', default: true },
    'torch-threads': { type: 'string', default: '2' },
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
const backends = choices('backend', flags.backend, BACKENDS);
const kernelSets = choices('kernels', flags.kernels, ['stock', 'patched'] as const);
const batchSize = positive('batch', flags.batch) ?? 64;
const repsFlag = positive('reps', flags.reps);
const stepsFlag = positive('steps', flags.steps);
const repMs = positive('rep-ms', flags['rep-ms']) ?? 600;
const torchThreads = positive('torch-threads', flags['torch-threads']) ?? 2;

/**
 * Reps per row. Every rep of a slow row is a few steps, so noise from the other jobs on the machine weighs more per
 * rep: those rows get more reps, so that their median ratio rests on as many pairs as the fast rows' do.
 */
function defaultReps(p: Plan): number {
  if (p.model === 'dcgan' && p.backend === 'cpu') return 1;
  return p.backend === 'cpu' ? 15 : 9;
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
    if (backend === 'wasm') for (const kernels of kernelSets) plans.push({ model, backend, kernels });
    else plans.push({ model, backend, kernels: '-' });
  }
}

/** Activates the plan's backend, or says why it cannot be. */
async function useBackend(p: Plan): Promise<string | undefined> {
  if (p.backend === 'tensorflow') {
    const why = await loadTensorflowBackend();
    if (why !== undefined) return why;
  }
  await tf.setBackend(p.backend);
  await tf.ready();
  if (p.kernels === 'patched') installWasmTrainingKernels();
  else uninstallWasmTrainingKernels();
  return undefined;
}

/** Mean wall-clock and process CPU milliseconds per step over `steps` consecutive steps. */
async function timeSteps(c: Contender, steps: number): Promise<Rep> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < steps; i++) await c.step();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - start) / steps, cpu: (cpu.user + cpu.system) / 1000 / steps };
}

/** Steps that make one rep last about `repMs`, from the median of single steps timed over a fifth of that. */
async function calibrate(c: Contender): Promise<number> {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || performance.now() - start < repMs / 5) times.push((await timeSteps(c, 1)).wall);
  return Math.max(1, Math.min(1000, Math.round(repMs / median(times))));
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

// The six orders of three contenders, cycled: each goes first, second and last equally often, so load drift and
// position effects (a cache warmed by the previous contender, a sibling process waking) cancel over the reps.
const ORDERS = [
  [0, 1, 2],
  [1, 2, 0],
  [2, 0, 1],
  [0, 2, 1],
  [2, 1, 0],
  [1, 0, 2],
] as const;

const round2 = (v: number) => Math.round(v * 100) / 100;

async function measure(p: Plan, torch: TorchProcess | string): Promise<BenchRow | SkippedRow> {
  const skip = skippedByDefault(p);
  if (skip !== undefined) return { ...p, skipped: skip };
  const unavailable = await useBackend(p);
  if (unavailable !== undefined) return { ...p, skipped: unavailable };
  const reps = repsFlag ?? defaultReps(p);
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
    const steps = stepsFlag ?? (await calibrate(w.library));
    let torchWhy = typeof torch === 'string' ? torch : await torch.init(p.model, batchSize);
    let torchSteps = 1;
    if (torchWhy === undefined && typeof torch !== 'string') {
      // As calibrate(): one step, then about a fifth of a rep, sizes PyTorch's reps to last as long as the others.
      const first = (await torch.rep(1)).wall;
      const ms = (await torch.rep(Math.max(1, Math.round(repMs / 5 / first)))).wall;
      torchSteps = Math.max(1, Math.min(5000, Math.round(repMs / ms)));
    }
    const contenders: ((ms: Rep[][]) => Promise<void>)[] = [
      async (ms) => void ms[0]!.push(await timeSteps(w.library, steps)),
      async (ms) => void ms[1]!.push(await timeSteps(w.raw, steps)),
    ];
    if (torchWhy === undefined && typeof torch !== 'string') {
      contenders.push(async (ms) => void ms[2]!.push(await torch.rep(torchSteps)));
    }
    const loadBefore = loadAverage();
    const times: Rep[][] = [[], [], []];
    for (let r = 0; r < reps; r++) {
      const order = contenders.length === 3 ? ORDERS[r % ORDERS.length]! : r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) await contenders[i]!(times);
    }
    const loadAfter = loadAverage();
    const wall = times.map((reps) => reps.map((r) => r.wall));
    const cpu = times.map((reps) => reps.map((r) => r.cpu));
    const [libraryMs, rawMs, torchMs] = wall as [number[], number[], number[]];
    const [libraryCpu, rawCpu, torchCpu] = cpu as [number[], number[], number[]];
    const [libraryTensors, libraryBytes] = await peaks(w.library);
    const [rawTensors, rawBytes] = await peaks(w.raw);
    if (torchWhy === undefined && torchMs.length !== reps) torchWhy = 'PyTorch did not answer every rep';
    const torchSide: TorchSide =
      torchWhy !== undefined
        ? { torch_skipped: torchWhy }
        : {
            torch_ms: torchMs.map(round2),
            torch_cpu_ms: torchCpu.map(round2),
            torch_steps: torchSteps,
            torch_steps_per_s: 1000 / median(torchMs),
            vs_torch: pairedRatio(torchMs, libraryMs),
            vs_torch_fastest: Math.min(...torchMs) / Math.min(...libraryMs),
            torch_cpu_ratio: pairedRatio(torchCpu, libraryCpu),
          };
    return {
      ...p,
      batch: batchSize,
      steps,
      reps,
      library_ms: libraryMs.map(round2),
      raw_ms: rawMs.map(round2),
      library_steps_per_s: 1000 / median(libraryMs),
      raw_steps_per_s: 1000 / median(rawMs),
      ratio: pairedRatio(libraryMs, rawMs),
      ratio_fastest: Math.min(...libraryMs) / Math.min(...rawMs),
      ratio_of_medians: median(libraryMs) / median(rawMs),
      library_cpu_ms: libraryCpu.map(round2),
      raw_cpu_ms: rawCpu.map(round2),
      cpu_ratio: pairedRatio(libraryCpu, rawCpu),
      library_fastest_ms: round2(Math.min(...libraryMs)),
      raw_fastest_ms: round2(Math.min(...rawMs)),
      library_peak_tensors: libraryTensors,
      raw_peak_tensors: rawTensors,
      library_peak_bytes: libraryBytes,
      raw_peak_bytes: rawBytes,
      load_before: loadBefore,
      load_after: loadAfter,
      ...torchSide,
    };
  } finally {
    w.dispose();
    uninstallWasmTrainingKernels();
  }
}

const torch: TorchProcess | string = flags.torch ? await TorchProcess.start(torchThreads) : 'not asked for (--no-torch)';
if (!flags.json) {
  console.log(
    `tfjs ${tf.version_core}, Node ${process.version}, batch ${batchSize}; ` +
      `PyTorch: ${typeof torch === 'string' ? torch : torch.description}` +
      `${backends.includes('tensorflow') ? `; tensorflow: ${oneDnnSetting()}` : ''}; load average ${loadAverage().join(' ')}`,
  );
}
const rows: (BenchRow | SkippedRow)[] = [];
try {
  for (const p of plans) {
    const row = await measure(p, torch);
    rows.push(row);
    if (flags.json) console.log(JSON.stringify(row));
    else if ('skipped' in row) console.log(`${p.model} ${p.backend} ${p.kernels}: skipped (${row.skipped})`);
    else {
      const vsTorch =
        'torch_skipped' in row
          ? `PyTorch skipped (${row.torch_skipped})`
          : `PyTorch ${rate(row.torch_steps_per_s)}, ×PyTorch ${row.vs_torch.toFixed(2)} (fastest ${row.vs_torch_fastest.toFixed(2)}; ` +
            `PyTorch CPU ÷ library CPU ${row.torch_cpu_ratio.toFixed(2)})`;
      console.log(
        `${p.model} ${p.backend} ${p.kernels}: library ${rate(row.library_steps_per_s)} steps/s, ` +
          `raw ${rate(row.raw_steps_per_s)}, library÷raw time ${row.ratio.toFixed(3)} (fastest ${row.ratio_fastest.toFixed(3)}, CPU ${row.cpu_ratio.toFixed(3)}), ` +
          `${vsTorch} (${row.reps} reps of ${row.steps} steps; load ${row.load_before[0]} → ${row.load_after[0]})`,
      );
    }
  }
} finally {
  if (typeof torch !== 'string') torch.close();
}
if (!flags.json) console.log(`\n${markdownTable(rows)}`);
