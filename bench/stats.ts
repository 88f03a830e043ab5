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

/** One measured (or skipped) row of the benchmark. */
export type BenchRow = {
  readonly model: string;
  readonly backend: string;
  /** `'stock'` or `'patched'` (tfjs-generative/wasm installed) on wasm, `'-'` elsewhere. */
  readonly kernels: string;
  readonly batch: number;
  readonly steps: number;
  readonly reps: number;
  /** Per-rep mean step time, milliseconds, in run order. */
  readonly library_ms: number[];
  readonly raw_ms: number[];
  /** From the median rep. */
  readonly library_steps_per_s: number;
  readonly raw_steps_per_s: number;
  /**
   * Median over reps of library step time ÷ hand-written step time in the same rep: 1 means the library costs
   * nothing over hand-written tfjs.
   */
  readonly ratio: number;
  /** Fastest library rep ÷ fastest hand-written rep (step times). */
  readonly ratio_fastest: number;
  /** Median library step time ÷ median hand-written step time: the old measure, kept for comparison. */
  readonly ratio_of_medians: number;
  /** Per-rep process CPU milliseconds per step (tfjs sides run in this process, one at a time). */
  readonly library_cpu_ms: number[];
  readonly raw_cpu_ms: number[];
  /**
   * Median over reps of library ÷ hand-written CPU time per step: steadier than wall time on a busy machine, where
   * waiting for a core inflates wall time and not CPU time.
   */
  readonly cpu_ratio: number;
  readonly library_fastest_ms: number;
  readonly raw_fastest_ms: number;
  readonly library_peak_tensors: number;
  readonly raw_peak_tensors: number;
  readonly library_peak_bytes: number;
  readonly raw_peak_bytes: number;
  readonly load_before: [number, number, number];
  readonly load_after: [number, number, number];
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
  'raw steps/s',
  'library ÷ raw time (fastest) [CPU]',
  'PyTorch steps/s',
  '× PyTorch (fastest)',
  'peak tensors',
  'peak MB',
  'reps × steps',
  'load',
];

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
/** Three significant figures, at most two decimals. */
export const rate = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The cells of one table line; library and raw peaks are shown as `library / raw`. */
function cells(row: BenchRow | SkippedRow): string[] {
  if ('skipped' in row) return [row.model, row.backend, row.kernels, `(${row.skipped})`, ...COLUMNS.slice(4).map(() => '')];
  const torch =
    'torch_skipped' in row
      ? [`(${row.torch_skipped})`, '']
      : [rate(row.torch_steps_per_s), `${row.vs_torch.toFixed(2)} (${row.vs_torch_fastest.toFixed(2)})`];
  return [
    row.model,
    row.backend,
    row.kernels,
    rate(row.library_steps_per_s),
    rate(row.raw_steps_per_s),
    `${row.ratio.toFixed(3)} (${row.ratio_fastest.toFixed(3)}) [${row.cpu_ratio.toFixed(3)}]`,
    ...torch,
    `${row.library_peak_tensors} / ${row.raw_peak_tensors}`,
    `${mb(row.library_peak_bytes)} / ${mb(row.raw_peak_bytes)}`,
    `${row.reps} × ${row.steps}`,
    `${row.load_before[0].toFixed(2)}–${row.load_after[0].toFixed(2)}`,
  ];
}

/** A Markdown table of the rows, ready to paste into docs/guides/performance.md. */
export function markdownTable(rows: readonly (BenchRow | SkippedRow)[]): string {
  const lines = [COLUMNS, COLUMNS.map(() => '---'), ...rows.map(cells)];
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}
