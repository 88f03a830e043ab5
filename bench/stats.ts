/** Small statistics and formatting helpers of the training-step benchmark. */

import { loadavg } from 'node:os';

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median of `a[i] / b[i]` over the reps: each rep of one contender against the rep of the other that ran next
 * to it. On a shared machine the load moves within a run (one rep of the same code took 48 then 31 ms per step), and
 * two neighbouring reps see nearly the same load, so their ratio is steadier than the ratio of two medians taken
 * over reps far apart.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((v, i) => v / b[i]!));
}

/**
 * A distribution-free interval for the median of `values`, at 95% or more: the order statistics x₍ⱼ₊₁₎ and x₍ₙ₋ⱼ₎
 * for the largest j with 1 − 2·P(Bin(n, ½) ≤ j) ≥ 0.95 (min and max below 6 values, where no such j exists). Each
 * per-pair ratio is one draw from the machine's noise, so this says how far the median itself may be off.
 */
export function medianInterval(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let j = 0;
  let tail = 0.5 ** n; // P(Bin(n, ½) ≤ j)
  let term = tail;
  for (let k = 0; k < n; k++) {
    term = (term * (n - k)) / (k + 1); // P(Bin = k + 1)
    if (1 - 2 * (tail + term) < 0.95) break;
    tail += term;
    j = k + 1;
  }
  return [sorted[j]!, sorted[n - 1 - j]!];
}

/** The 1-, 5- and 15-minute load averages, rounded: the machine is shared, so every figure carries them. */
export function loadAverage(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = loadavg();
  return [a, b, c].map((v) => Math.round(v * 100) / 100) as [number, number, number];
}

/** The PyTorch side of a row, or why there is none. */
export type TorchSide =
  | {
      /** Per-rep mean step time, milliseconds, in run order (rep i ran next to library rep i). */
      readonly torch_ms: number[];
      /** Per-rep process CPU milliseconds per step, all threads. */
      readonly torch_cpu_ms: number[];
      readonly torch_steps: number;
      readonly torch_steps_per_s: number;
      /** Median over reps of library steps/s ÷ PyTorch steps/s in the same rep: 1 means as fast as PyTorch. */
      readonly vs_torch: number;
      /** Fastest library rep ÷ fastest PyTorch rep, as a speed ratio: what each side does when it is left alone. */
      readonly vs_torch_fastest: number;
      /**
       * Median over reps of PyTorch CPU time ÷ library CPU time per step: the work each does, whatever share of the
       * cores a busy machine gives it (PyTorch's counts both its threads).
       */
      readonly torch_cpu_ratio: number;
    }
  | { readonly torch_skipped: string };

/** One tfjs side's comparison with the library: per-pair medians and the fastest reps. */
export interface Comparison {
  /** Median over rounds of library step time ÷ this side's step time in the same round: 1 means no cost. */
  readonly ratio: number;
  /** A 95% interval for that median (see {@link medianInterval}). */
  readonly ratio_interval: [number, number];
  /** Fastest library rep ÷ this side's fastest rep (step times). */
  readonly ratio_fastest: number;
  /** Median library step time ÷ median step time of this side: the old measure, kept for comparison. */
  readonly ratio_of_medians: number;
  /**
   * The same median on process CPU time per step: steadier than wall time on a busy machine, where waiting for a
   * core inflates wall time and not CPU time.
   */
  readonly cpu_ratio: number;
}

/** Compares the library's reps with another side's, round by round. */
export function compare(library: Reps, other: Reps): Comparison {
  const ratios = library.wall.map((v, i) => v / other.wall[i]!);
  return {
    ratio: median(ratios),
    ratio_interval: medianInterval(ratios),
    ratio_fastest: Math.min(...library.wall) / Math.min(...other.wall),
    ratio_of_medians: median(library.wall) / median(other.wall),
    cpu_ratio: pairedRatio(library.cpu, other.cpu),
  };
}

/** One side's reps: per-rep mean wall-clock and process CPU milliseconds per step, in run order. */
export interface Reps {
  readonly wall: readonly number[];
  readonly cpu: readonly number[];
}

/** One measured (or skipped) row of the benchmark. */
export type BenchRow = {
  readonly model: string;
  readonly backend: string;
  /** `'stock'` or `'patched'` (tfjs-generative/wasm installed) on wasm, `'-'` elsewhere. */
  readonly kernels: string;
  readonly batch: number;
  readonly steps: number;
  /** Rounds: in each, `steps` steps of every tfjs side alternate one by one, and PyTorch runs one block. */
  readonly reps: number;
  /** Per-round mean step time, milliseconds, in run order (round i of every side ran interleaved). */
  readonly library_ms: number[];
  readonly raw_ms: number[];
  readonly checked_ms: number[];
  /** Per-rep process CPU milliseconds per step (tfjs sides run in this process, one at a time). */
  readonly library_cpu_ms: number[];
  readonly raw_cpu_ms: number[];
  readonly checked_cpu_ms: number[];
  /** From the median rep. */
  readonly library_steps_per_s: number;
  readonly raw_steps_per_s: number;
  readonly checked_steps_per_s: number;
  /** Library against the hand-written loop without a finite check: the guard's cost plus the library's own. */
  readonly vs_raw: Comparison;
  /** Library against the hand-written loop that reads the same probes: the library's own overhead. */
  readonly vs_checked: Comparison;
  /** Median over rounds of raw + check ÷ raw step time: what the probes cost a hand-written loop. */
  readonly check_ratio: number;
  /** State probes per step: raw + check's, and the library's (null when its internals could not be read). */
  readonly checked_probes: number;
  readonly library_probes: number | null;
  readonly library_peak_tensors: number;
  readonly raw_peak_tensors: number;
  readonly checked_peak_tensors: number;
  readonly library_peak_bytes: number;
  readonly raw_peak_bytes: number;
  readonly checked_peak_bytes: number;
  readonly load_before: [number, number, number];
  readonly load_after: [number, number, number];
  /** Seconds the row took, warm-up and calibration included. */
  readonly seconds: number;
  /** Tensors left in the engine after the timed rounds that were not there before them (0 when no side leaks). */
  readonly leaked_tensors: number;
} & TorchSide;

/** A row that was not measured, and why. */
export interface SkippedRow {
  readonly model: string;
  readonly backend: string;
  readonly kernels: string;
  readonly skipped: string;
}

const COLUMNS = [
  'model',
  'backend',
  'kernels',
  'library steps/s',
  'library ÷ raw (95% CI; fastest; CPU)',
  'library ÷ (raw + check) (95% CI; fastest; CPU)',
  'check ÷ raw (probes)',
  'PyTorch steps/s',
  '× PyTorch (fastest)',
  'peak tensors',
  'peak MB',
  'rounds × steps',
  'load',
];

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
/** Three significant figures, at most two decimals. */
export const rate = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** A comparison as `median (lo–hi; fastest f; CPU c)`. */
export function formatComparison(c: Comparison): string {
  const [lo, hi] = c.ratio_interval;
  return `${c.ratio.toFixed(3)} (${lo.toFixed(3)}–${hi.toFixed(3)}; ${c.ratio_fastest.toFixed(
    3,
  )}; ${c.cpu_ratio.toFixed(3)})`;
}

/** The cells of one table line; peaks are shown as `library / raw / raw + check`. */
function cells(row: BenchRow | SkippedRow): string[] {
  if ('skipped' in row)
    return [row.model, row.backend, row.kernels, `(${row.skipped})`, ...COLUMNS.slice(4).map(() => '')];
  const torch =
    'torch_skipped' in row
      ? [`(${row.torch_skipped})`, '']
      : [rate(row.torch_steps_per_s), `${row.vs_torch.toFixed(2)} (${row.vs_torch_fastest.toFixed(2)})`];
  return [
    row.model,
    row.backend,
    row.kernels,
    rate(row.library_steps_per_s),
    formatComparison(row.vs_raw),
    formatComparison(row.vs_checked),
    `${row.check_ratio.toFixed(3)} (${row.checked_probes}${
      row.library_probes !== null && row.library_probes !== row.checked_probes ? `; library ${row.library_probes}` : ''
    })`,
    ...torch,
    `${row.library_peak_tensors} / ${row.raw_peak_tensors} / ${row.checked_peak_tensors}`,
    `${mb(row.library_peak_bytes)} / ${mb(row.raw_peak_bytes)} / ${mb(row.checked_peak_bytes)}`,
    `${row.reps} × ${row.steps}`,
    `${row.load_before[0].toFixed(2)}–${row.load_after[0].toFixed(2)}`,
  ];
}

/** A Markdown table of the rows, ready to paste into docs/guides/performance.md. */
export function markdownTable(rows: readonly (BenchRow | SkippedRow)[]): string {
  const lines = [COLUMNS, COLUMNS.map(() => '---'), ...rows.map(cells)];
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}
