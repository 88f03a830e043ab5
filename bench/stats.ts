/** Small statistics and formatting helpers of the training-step benchmark. */

import { loadavg } from 'node:os';

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The 1-, 5- and 15-minute load averages, rounded: the machine is shared, so every figure carries them. */
export function loadAverage(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = loadavg();
  return [a, b, c].map((v) => Math.round(v * 100) / 100) as [number, number, number];
}

/** One measured (or skipped) row of the benchmark. */
export interface BenchRow {
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
  readonly library_steps_per_s: number;
  readonly raw_steps_per_s: number;
  /** Median library step time / median raw step time: 1 means the library costs nothing over hand-written tfjs. */
  readonly ratio: number;
  readonly library_peak_tensors: number;
  readonly raw_peak_tensors: number;
  readonly library_peak_bytes: number;
  readonly raw_peak_bytes: number;
  readonly load_before: [number, number, number];
  readonly load_after: [number, number, number];
}

/** A row that was not measured, and why. */
export interface SkippedRow {
  readonly model: string;
  readonly backend: string;
  readonly kernels: string;
  readonly skipped: string;
}

const COLUMNS = ['model', 'backend', 'kernels', 'library steps/s', 'raw steps/s', 'ratio', 'peak tensors', 'peak MB', 'load'];

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const rate = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The cells of one table line; library and raw peaks are shown as `library / raw`. */
function cells(row: BenchRow | SkippedRow): string[] {
  if ('skipped' in row) return [row.model, row.backend, row.kernels, `(${row.skipped})`, '', '', '', '', ''];
  return [
    row.model,
    row.backend,
    row.kernels,
    rate(row.library_steps_per_s),
    rate(row.raw_steps_per_s),
    row.ratio.toFixed(3),
    `${row.library_peak_tensors} / ${row.raw_peak_tensors}`,
    `${mb(row.library_peak_bytes)} / ${mb(row.raw_peak_bytes)}`,
    row.load_before[0].toFixed(2),
  ];
}

/** A Markdown table of the rows, ready to paste into docs/guides/performance.md. */
export function markdownTable(rows: readonly (BenchRow | SkippedRow)[]): string {
  const lines = [COLUMNS, COLUMNS.map(() => '---'), ...rows.map(cells)];
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}
