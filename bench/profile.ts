/**
 * Where a training step's time goes: kernel dispatches per step, time per kernel (from `tf.profile`, which times
 * each kernel call on the backend), and the rest of the step, which is the engine's own bookkeeping (tape, tidy
 * scopes, memory accounting) and JavaScript around the kernels.
 *
 *   npx tsx bench/profile.ts --model article-gan --backend wasm --kernels patched --steps 20
 *   npx tsx bench/profile.ts --model dcgan --backend wasm --side raw --steps 3 --top 15
 *   npx tsx bench/profile.ts --side checked      # the hand-written loop with the finite check (library, raw, checked)
 *
 * Step time is measured without the profiler first (the profiler adds its own cost per kernel), then one profiled
 * pass attributes it. Like the benchmark, it never asserts and is not part of `npm test`.
 */

import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { installWasmTrainingKernels } from 'tfjs-generative/wasm';
import { lazyCounts } from '../src/wasm/lazy';
import { MODELS, workload, type ModelName } from './models';
import { loadAverage } from './stats';
import { loadTensorflowBackend } from './tensorflow';

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string', default: 'article-gan' },
    backend: { type: 'string', default: 'wasm' },
    kernels: { type: 'string', default: 'patched' },
    side: { type: 'string', default: 'library' },
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '64' },
    top: { type: 'string', default: '25' },
  },
});

const model = flags.model as ModelName;
if (!MODELS.includes(model)) throw new Error(`--model must be one of ${MODELS.join(', ')}`);
const steps = Number(flags.steps);
const top = Number(flags.top);

if (flags.backend === 'tensorflow') {
  const why = await loadTensorflowBackend();
  if (why !== undefined) {
    console.log(`tensorflow: ${why}`);
    process.exit(0);
  }
}
await tf.setBackend(flags.backend!);
await tf.ready();
if (flags.backend === 'wasm' && flags.kernels === 'patched') installWasmTrainingKernels();

const w = await workload(model, Number(flags.batch));
const side = flags.side === 'raw' ? w.raw : flags.side === 'checked' ? w.checked : w.library;
for (let i = 0; i < 3; i++) await side.step();

const lazyBefore = lazyCounts();
const start = performance.now();
const cpuStart = process.cpuUsage();
for (let i = 0; i < steps; i++) await side.step();
const wallMs = (performance.now() - start) / steps;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000 / steps;
const lazyAfter = lazyCounts();

interface Entry {
  calls: number;
  ms: number;
  shapes: Map<string, { calls: number; ms: number }>;
}
const byKernel = new Map<string, Entry>();
let kernelMs = 0;
let dispatches = 0;
const profiledStart = performance.now();
const info = await tf.profile(async () => {
  for (let i = 0; i < steps; i++) await side.step();
  return [];
});
const profiledMs = (performance.now() - profiledStart) / steps;
for (const k of info.kernels) {
  // tf.profile also lists ops that wrap kernels (fused matMul, `name__op`): their time is their kernels' time.
  if (k.name.endsWith('__op')) continue;
  const ms = (await k.kernelTimeMs) as number;
  const entry = byKernel.get(k.name) ?? { calls: 0, ms: 0, shapes: new Map() };
  entry.calls++;
  entry.ms += ms;
  const shape = `${k.inputShapes.map((s) => `[${s?.join(',') ?? ''}]`).join(' ')} → ${k.outputShapes
    .map((s) => `[${s.join(',')}]`)
    .join(' ')}`;
  const s = entry.shapes.get(shape) ?? { calls: 0, ms: 0 };
  s.calls++;
  s.ms += ms;
  entry.shapes.set(shape, s);
  byKernel.set(k.name, entry);
  kernelMs += ms;
  dispatches++;
}

const perStep = (v: number) => v / steps;
console.log(
  `${model} on ${flags.backend}${flags.backend === 'wasm' ? ` (${flags.kernels})` : ''}, ${flags.side}, batch ${
    flags.batch
  }, ` + `${steps} steps; load ${loadAverage().join(' ')}`,
);
console.log(
  `step ${wallMs.toFixed(2)} ms unprofiled (${profiledMs.toFixed(2)} profiled); ` +
    `${perStep(dispatches).toFixed(0)} kernel dispatches per step; kernels ${perStep(kernelMs).toFixed(2)} ms, ` +
    `the rest ${(wallMs - perStep(kernelMs)).toFixed(2)} ms (${(((wallMs - perStep(kernelMs)) / wallMs) * 100).toFixed(
      0,
    )}%)`,
);
console.log(
  `CPU time ${cpuMs.toFixed(2)} ms per step (the wall time above includes waiting for a core on a busy machine)`,
);
if (lazyAfter.deferred > lazyBefore.deferred) {
  const per = (k: 'deferred' | 'computed' | 'dropped') => ((lazyAfter[k] - lazyBefore[k]) / steps).toFixed(1);
  console.log(
    `deferred gradient kernels per step: ${per('deferred')}, computed when used ${per('computed')}, ` +
      `dropped unread ${per('dropped')}. Unprofiled, computing them took:`,
  );
  for (const [name, c] of lazyAfter.perKernel) {
    const b = lazyBefore.perKernel.get(name) ?? { computed: 0, ms: 0, dropped: 0 };
    console.log(
      `  ${name}: ${((c.computed - b.computed) / steps).toFixed(1)} computed, ${((c.ms - b.ms) / steps).toFixed(
        2,
      )} ms/step; ` + `${((c.dropped - b.dropped) / steps).toFixed(1)} dropped`,
    );
  }
  console.log('(in the profiled table below, a deferred kernel is timed inside the kernel that first uses its output)');
}
console.log('\n| kernel | calls/step | ms/step | % of step |\n| --- | --- | --- | --- |');
const sorted = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
for (const [name, e] of sorted.slice(0, top)) {
  console.log(
    `| ${name} | ${perStep(e.calls).toFixed(1)} | ${perStep(e.ms).toFixed(3)} | ${(
      (perStep(e.ms) / wallMs) *
      100
    ).toFixed(1)} |`,
  );
}
console.log('\nSlowest kernel shapes:');
const shapes = sorted.flatMap(([name, e]) => [...e.shapes].map(([s, v]) => ({ name, s, ...v })));
shapes.sort((a, b) => b.ms - a.ms);
for (const s of shapes.slice(0, Math.min(top, 15))) {
  console.log(`  ${perStep(s.ms).toFixed(3)} ms/step  ${perStep(s.calls).toFixed(1)}×  ${s.name} ${s.s}`);
}
w.dispose();
