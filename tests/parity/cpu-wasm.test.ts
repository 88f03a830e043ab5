import { afterAll, describe, expect, it } from 'vitest';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from '../../src/wasm';
import { runParity, type ParityModel, type ParityReport } from '../helpers/parity';

/**
 * cpu vs wasm, from the same weights on the same batches: the per-step logs agree within 1e-5 relative and every
 * weight within 1e-5 of its own scale (see tests/helpers/parity.ts for the exact formulas), for 5 steps. The same
 * harness runs cpu vs webgl in a real browser (tests/browser/page.test.ts).
 */
const TOLERANCE = 1e-5;
const STEPS = 5;

function expectParity(report: ParityReport): void {
  expect(report.steps).toHaveLength(STEPS);
  for (const step of report.steps) {
    expect(step.logs, `step ${step.step}: log ${step.worstLog}`).toBeLessThanOrEqual(TOLERANCE);
    expect(step.weights, `step ${step.step}: weight ${step.worstWeight}`).toBeLessThanOrEqual(TOLERANCE);
  }
}

describe.each<ParityModel>(['gan', 'vae'])('%s parity, cpu vs wasm', (model) => {
  afterAll(() => uninstallWasmTrainingKernels());

  it('agrees with stock wasm kernels', async () => {
    uninstallWasmTrainingKernels();
    expectParity(await runParity(model, 'cpu', 'wasm', { steps: STEPS }));
  });

  it('agrees with installWasmTrainingKernels()', async () => {
    installWasmTrainingKernels();
    expectParity(await runParity(model, 'cpu', 'wasm', { steps: STEPS }));
  });
});
