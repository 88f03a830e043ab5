/**
 * Training-step benchmark: the library's `trainStep` against two hand-written tfjs loops doing the same maths (raw,
 * and raw + check, which also reads back the finiteness probes the library's non-finite guard reads) and against
 * PyTorch (bench/torch_bench.py, 2 threads), per model and backend. Contenders run in rounds: in each, the tfjs
 * sides' steps alternate one by one (in an order that rotates from round to round) and PyTorch runs one block of
 * steps. Each row reports the median of per-round ratios (the library's mean step time against each other side's in
 * the same round) with a 95% interval for that median, the fastest rounds beside them, and the same median on CPU
 * time; it never asserts on time and is not part of `npm test`.
 *
 *   npm run bench                                    # every default row (about 10 minutes on 2 cores)
 *   npm run bench -- --model vae --backend wasm --kernels patched --reps 21
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
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from 'tfjs-generative/wasm';
import { MODELS, workload, type Contender, type ModelName } from './models';
import {
  compare,
  formatComparison,
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
    'rep-ms': { type: 'string', default: '400' },
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
const repMs = positive('rep-ms', flags['rep-ms']) ?? 400;
const torchThreads = positive('torch-threads', flags['torch-threads']) ?? 2;

/**
 * Rounds per row. A rep of a slow row is one or two steps, so one hiccup of the machine weighs on a whole rep: those
 * rows get more rounds. The defaults keep every default row within about 10 minutes on an idle 2-core machine.
 */
function defaultReps(p: Plan): number {
  if (p.model === 'dcgan' && p.backend === 'cpu') return 1;
  if (p.model === 'dcgan') return 15;
  return p.backend === 'cpu' ? 21 : 15;
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

/*
 * A full garbage collection before every round, outside the timing, so that no round inherits another's garbage.
 * Within a round the contenders' steps alternate, so a minor collection lands in a step with a probability that
 * grows with what that step allocates: each contender is charged for its own garbage on average.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Mean wall-clock and process CPU milliseconds per step over `steps` consecutive steps of one contender. */
async function timeSteps(c: Contender, steps: number): Promise<Rep> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < steps; i++) await c.step();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - start) / steps, cpu: (cpu.user + cpu.system) / 1000 / steps };
}

/**
 * One round of the tfjs contenders: `steps` steps of each, interleaved step by step in `order` (a, b, c, a, b, c, …)
 * and timed one by one, so that every contender's rep spans the same stretch of time. On a shared or virtualised
 * machine the speed of a core moves in phases longer than a step (reps of the same code alternated between about 20
 * and 30 ms per step on an otherwise idle 16-core machine): reps run one after the other land in different phases,
 * interleaved steps share them. Returns each contender's mean wall-clock and CPU milliseconds per step.
 */
async function interleavedRound(
  contenders: readonly Contender[],
  order: readonly number[],
  steps: number,
): Promise<Rep[]> {
  collectGarbage();
  const wall = contenders.map(() => 0);
  const cpu = contenders.map(() => 0);
  for (let s = 0; s < steps; s++) {
    for (const i of order) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await contenders[i]!.step();
      const used = process.cpuUsage(cpuStart);
      wall[i]! += performance.now() - start;
      cpu[i]! += (used.user + used.system) / 1000;
    }
  }
  return contenders.map((_, i) => ({ wall: wall[i]! / steps, cpu: cpu[i]! / steps }));
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

/*
 * Orders of the tfjs contenders within a round's steps (0 library, 1 raw, 2 raw + check), cycled round by round:
 * each goes in each position equally often and follows each other one equally often (a Williams design), so
 * position effects (a cache warmed or a core left busy by the previous step) cancel over the rounds.
 */
const ORDERS: readonly (readonly number[])[] = [
  [0, 1, 2],
  [1, 2, 0],
  [2, 0, 1],
  [0, 2, 1],
  [2, 1, 0],
  [1, 0, 2],
];

const round2 = (v: number) => Math.round(v * 100) / 100;

async function measure(p: Plan, torch: TorchProcess | string): Promise<BenchRow | SkippedRow> {
  const started = performance.now();
  const skip = skippedByDefault(p);
  if (skip !== undefined) return { ...p, skipped: skip };
  const unavailable = await useBackend(p);
  if (unavailable !== undefined) return { ...p, skipped: unavailable };
  const reps = repsFlag ?? defaultReps(p);
  const w = await workload(p.model, batchSize);
  try {
    try {
      // Warm-up: kernel setup, optimizer slots, JIT; a backend that cannot train the model fails here.
      for (let i = 0; i < 2; i++) {
        await w.library.step();
        await w.raw.step();
        await w.checked.step();
      }
    } catch (e) {
      const message = (e as Error).message;
      const lacking = /needs (.+?)(?: for layers|, not registered)/.exec(message)?.[1];
      return { ...p, skipped: `cannot train: ${lacking === undefined ? message : `lacks ${lacking}`}` };
    }
    const probes = await w.probeCounts();
    if (probes.library !== undefined && probes.library !== probes.checked) {
      console.error(
        `${p.model} ${p.backend} ${p.kernels}: raw + check reads ${probes.checked} state probes per step, the library ` +
          `${probes.library}; the library ÷ (raw + check) ratio compares unequal work until bench/models.ts follows.`,
      );
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
    const times: Rep[][] = [[], [], [], []];
    const sides = [w.library, w.raw, w.checked];
    const withTorch = torchWhy === undefined && typeof torch !== 'string';
    const loadBefore = loadAverage();
    const tensorsBefore = tf.memory().numTensors;
    for (let r = 0; r < reps; r++) {
      // PyTorch runs in its own process, as one block per round, before the tfjs steps in one round and after them
      // in the next.
      const torchRep = async () => {
        if (withTorch) times[3]!.push(await (torch as TorchProcess).rep(torchSteps));
      };
      if (r % 2 === 0) await torchRep();
      const round = await interleavedRound(sides, ORDERS[r % ORDERS.length]!, steps);
      round.forEach((rep, i) => times[i]!.push(rep));
      if (r % 2 === 1) await torchRep();
    }
    const loadAfter = loadAverage();
    // Every side must leave the engine as it found it: a leak would make its steps slower as the run goes on.
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) console.error(`${p.model} ${p.backend} ${p.kernels}: ${leaked} tensors left after the rounds`);
    const [library, raw, checked, torchReps] = times.map((reps) => ({
      wall: reps.map((r) => r.wall),
      cpu: reps.map((r) => r.cpu),
    })) as [
      { wall: number[]; cpu: number[] },
      { wall: number[]; cpu: number[] },
      { wall: number[]; cpu: number[] },
      { wall: number[]; cpu: number[] },
    ];
    const [libraryTensors, libraryBytes] = await peaks(w.library);
    const [rawTensors, rawBytes] = await peaks(w.raw);
    const [checkedTensors, checkedBytes] = await peaks(w.checked);
    if (torchWhy === undefined && torchReps.wall.length !== reps) torchWhy = 'PyTorch did not answer every rep';
    const torchSide: TorchSide =
      torchWhy !== undefined
        ? { torch_skipped: torchWhy }
        : {
            torch_ms: torchReps.wall.map(round2),
            torch_cpu_ms: torchReps.cpu.map(round2),
            torch_steps: torchSteps,
            torch_steps_per_s: 1000 / median(torchReps.wall),
            vs_torch: pairedRatio(torchReps.wall, library.wall),
            vs_torch_fastest: Math.min(...torchReps.wall) / Math.min(...library.wall),
            torch_cpu_ratio: pairedRatio(torchReps.cpu, library.cpu),
          };
    return {
      ...p,
      batch: batchSize,
      steps,
      reps,
      library_ms: library.wall.map(round2),
      raw_ms: raw.wall.map(round2),
      checked_ms: checked.wall.map(round2),
      library_cpu_ms: library.cpu.map(round2),
      raw_cpu_ms: raw.cpu.map(round2),
      checked_cpu_ms: checked.cpu.map(round2),
      library_steps_per_s: 1000 / median(library.wall),
      raw_steps_per_s: 1000 / median(raw.wall),
      checked_steps_per_s: 1000 / median(checked.wall),
      vs_raw: compare(library, raw),
      vs_checked: compare(library, checked),
      check_ratio: pairedRatio(checked.wall, raw.wall),
      checked_probes: probes.checked,
      library_probes: probes.library ?? null,
      library_peak_tensors: libraryTensors,
      raw_peak_tensors: rawTensors,
      checked_peak_tensors: checkedTensors,
      library_peak_bytes: libraryBytes,
      raw_peak_bytes: rawBytes,
      checked_peak_bytes: checkedBytes,
      load_before: loadBefore,
      load_after: loadAfter,
      seconds: Math.round((performance.now() - started) / 1000),
      leaked_tensors: leaked,
      ...torchSide,
    };
  } finally {
    w.dispose();
    uninstallWasmTrainingKernels();
  }
}

const runStart = performance.now();
const torch: TorchProcess | string = flags.torch
  ? await TorchProcess.start(torchThreads)
  : 'not asked for (--no-torch)';
if (!flags.json) {
  console.log(
    `tfjs ${tf.version_core}, Node ${process.version}, batch ${batchSize}; ` +
      `PyTorch: ${typeof torch === 'string' ? torch : torch.description}` +
      `${backends.includes('tensorflow') ? `; tensorflow: ${oneDnnSetting()}` : ''}; load average ${loadAverage().join(
        ' ',
      )}`,
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
          : `PyTorch ${rate(row.torch_steps_per_s)}, ×PyTorch ${row.vs_torch.toFixed(
              2,
            )} (fastest ${row.vs_torch_fastest.toFixed(2)}; ` +
            `PyTorch CPU ÷ library CPU ${row.torch_cpu_ratio.toFixed(2)})`;
      console.log(
        `${p.model} ${p.backend} ${p.kernels}: library ${rate(row.library_steps_per_s)} steps/s, ` +
          `raw ${rate(row.raw_steps_per_s)}, raw + check ${rate(row.checked_steps_per_s)}; ` +
          `library÷raw ${formatComparison(row.vs_raw)}, library÷(raw + check) ${formatComparison(row.vs_checked)}, ` +
          `check÷raw ${row.check_ratio.toFixed(3)}; ${vsTorch} ` +
          `(${row.reps} rounds of ${row.steps} steps, ${row.seconds} s; load ${row.load_before[0]} → ${row.load_after[0]})`,
      );
    }
  }
} finally {
  if (typeof torch !== 'string') torch.close();
}
if (!flags.json) {
  console.log(`\n${markdownTable(rows)}`);
  console.log(
    `\n${Math.round((performance.now() - runStart) / 1000)} s in all; load average ${loadAverage().join(' ')}`,
  );
}
