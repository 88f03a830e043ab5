/**
 * The soak harness of the slow tier: trains a model for many steps through the Trainer (the entry point users use)
 * and samples `tf.memory()` at fixed intervals after a warm-up. A step that leaks even one tensor, or keeps one byte
 * more, shows as a sample that differs from the first; a loss that turns NaN or ±Infinity fails the run.
 *
 * `SOAK_REPORT=file` appends one JSON line per run (model, backend, steps, wall time, the samples), for the figures
 * in a report; tests print nothing (tests/setup.ts forbids console output).
 */
import { appendFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { Trainer, type StepLogs, type Trainable } from '../../src';

/** One memory sample: after which step, live tensors, tracked bytes, and the wasm heap's size (wasm only). */
export interface MemorySample {
  readonly step: number;
  readonly numTensors: number;
  readonly numBytes: number;
  readonly wasmHeapBytes?: number;
}

export interface SoakResult {
  readonly samples: readonly MemorySample[];
  /** Steps whose logs had a value that is not a finite number, as `step: logs`. */
  readonly nonFinite: readonly string[];
  readonly steps: number;
  readonly wallSeconds: number;
  /** Process CPU seconds (user + system) over the run: what the run costs on an otherwise idle core. */
  readonly cpuSeconds: number;
}

export interface SoakPlan {
  readonly steps: number;
  /** Steps before the first sample: the first step creates optimizer slots, kernels warm up. */
  readonly warmup: number;
  /** Steps between samples. */
  readonly every: number;
  readonly batchSize: number;
}

/** 1,000 steps; `SOAK_STEPS` shortens a local trial run (a multiple of 50). */
export const SOAK: SoakPlan = { steps: Number(process.env['SOAK_STEPS'] ?? 1000), warmup: 50, every: 50, batchSize: 8 };

function wasmHeapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return wasm?.HEAPU8?.buffer.byteLength;
}

function sample(step: number): MemorySample {
  const { numTensors, numBytes } = tf.memory();
  const heap = wasmHeapBytes();
  return heap === undefined ? { step, numTensors, numBytes } : { step, numTensors, numBytes, wasmHeapBytes: heap };
}

/** Trains `model` on `data` for `plan.steps` steps through the Trainer, sampling memory along the way. */
export async function soak<B extends tf.Tensor>(
  name: string,
  model: Trainable<B>,
  data: tf.Tensor,
  plan: SoakPlan = SOAK,
): Promise<SoakResult> {
  const samples: MemorySample[] = [];
  const nonFinite: string[] = [];
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const history = await new Trainer(model as Trainable<tf.Tensor>).fit(data, {
    steps: plan.steps,
    batchSize: plan.batchSize,
    seed: 1,
    callbacks: {
      onStepEnd(step: number, logs: StepLogs) {
        if (!Object.values(logs).every(Number.isFinite)) nonFinite.push(`${step}: ${JSON.stringify(logs)}`);
        const done = step + 1;
        if (done >= plan.warmup && (done - plan.warmup) % plan.every === 0) samples.push(sample(done));
      },
    },
  });
  const cpu = process.cpuUsage(c0);
  const result: SoakResult = {
    samples,
    nonFinite,
    steps: history.steps.length,
    wallSeconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  const report = process.env['SOAK_REPORT'];
  if (report) appendFileSync(report, `${JSON.stringify({ name, backend: tf.getBackend(), ...result })}\n`);
  return result;
}

/** `n` examples of `shape` in [lo, hi], seeded. */
export function soakData(n: number, shape: readonly number[], lo: number, hi: number, seed = 7): tf.Tensor {
  return tf.randomUniform([n, ...shape], lo, hi, 'float32', seed);
}

/** The checks every soak run must pass. */
export function expectFlat(result: SoakResult, label: string, plan: SoakPlan = SOAK): void {
  expect(result.steps, `${label}: steps run`).toBe(plan.steps);
  expect(result.nonFinite, `${label}: steps with a non-finite loss`).toEqual([]);
  const expected = (plan.steps - plan.warmup) / plan.every + 1;
  expect(result.samples.length, `${label}: memory samples`).toBe(expected);
  const [first] = result.samples;
  for (const s of result.samples) {
    expect(s.numTensors, `${label}: numTensors after step ${s.step}`).toBe(first!.numTensors);
    expect(s.numBytes, `${label}: numBytes after step ${s.step}`).toBe(first!.numBytes);
  }
  // The wasm heap never shrinks, and it may grow once more after the warm-up (it grows in steps of 20%, and the
  // allocator's free lists settle over the first epochs: the DCGAN's grows once, 83 → 100 MB, between steps 50 and
  // 100), but memory a step allocated and never freed would keep growing it: it must stay put over the second half.
  const heaps = result.samples.filter((s) => s.wasmHeapBytes !== undefined && s.step >= plan.steps / 2);
  for (const s of heaps) {
    expect(s.wasmHeapBytes, `${label}: wasm heap after step ${s.step} (second half)`).toBe(heaps[0]!.wasmHeapBytes);
  }
}
