import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isConfigError } from '../../src';
import { rejected } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';
import { tinyData, tinyVae } from '../helpers/vae';

/** Peak bytes above the starting point while `run` executes (tf.profile snapshots memory after every kernel). */
async function peakBytes(run: () => Promise<unknown>): Promise<number> {
  const start = tf.memory().numBytes;
  const info = await tf.profile(async () => {
    await run();
    return [];
  });
  return info.peakBytes - start;
}

describe('importanceWeightedBound: bounded memory', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const report = (text: string) => process.stdout.write(`${text}\n`);

  it('peak memory at k = 10,000 stays within 1.5× of k = 1,000', async () => {
    const vae = tinyVae({ seed: 1 });
    const batch = tinyData(16);
    await vae.importanceWeightedBound(batch, 10, { seed: 1 }); // builds kernels and lazily made state
    // Small chunks, so that anything kept per sample would outweigh a chunk's working set.
    const small = await peakBytes(() => vae.importanceWeightedBound(batch, 1_000, { seed: 1, chunkSize: 16 }));
    const large = await peakBytes(() => vae.importanceWeightedBound(batch, 10_000, { seed: 1, chunkSize: 16 }));
    report(`IWAE peak bytes, batch 16, chunks of 16: k=1,000 ${small}, k=10,000 ${large} (×${(large / small).toFixed(2)})`);
    expect(large).toBeLessThanOrEqual(1.5 * small);
    const smallDefault = await peakBytes(() => vae.importanceWeightedBound(batch, 1_000, { seed: 1 }));
    const largeDefault = await peakBytes(() => vae.importanceWeightedBound(batch, 10_000, { seed: 1 }));
    const ratio = (largeDefault / smallDefault).toFixed(2);
    report(`IWAE peak bytes, batch 16, default chunks: k=1,000 ${smallDefault}, k=10,000 ${largeDefault} (×${ratio})`);
    expect(largeDefault).toBeLessThanOrEqual(1.5 * smallDefault);
    batch.dispose();
    vae.dispose();
  });

  it('peak memory at a batch of 32,768 stays within 1.5× of a batch of 8,192', async () => {
    const vae = tinyVae({ seed: 1 });
    const [narrow, wide] = [tinyData(8_192), tinyData(32_768)];
    await vae.importanceWeightedBound(narrow, 2, { seed: 1 });
    const small = await peakBytes(() => vae.importanceWeightedBound(narrow, 2, { seed: 1 }));
    const large = await peakBytes(() => vae.importanceWeightedBound(wide, 2, { seed: 1 }));
    report(`IWAE peak bytes, k=2: batch 8,192 ${small}, batch 32,768 ${large} (×${(large / small).toFixed(2)})`);
    expect(large).toBeLessThanOrEqual(1.5 * small);
    tf.dispose([narrow, wide]);
    vae.dispose();
  });
});

/** A VAE whose q(z|x) is the prior and whose decoder ignores z: every importance weight is p(x|z) = p(x), exactly. */
function constantVae(bias: number[]) {
  const vae = tinyVae({ seed: 2 });
  for (const net of [vae.encoder, vae.decoder]) net.setWeights(net.getWeights().map((w) => tf.zerosLike(w)));
  const weights = vae.decoder.getWeights();
  weights[weights.length - 1] = tf.tensor1d(bias); // the output layer's bias: logits independent of z
  vae.decoder.setWeights(weights);
  return vae;
}

const softplus = (v: number) => Math.log1p(Math.exp(v));

describe('importanceWeightedBound: values', () => {
  it('is exact on a model with constant weights, however samples and examples are chunked', async () => {
    const bias = [-1, 0.5, 2, -3, 1, 0];
    const vae = constantVae(bias);
    const batch = tinyData(20, 4);
    const rows = (await batch.array()) as number[][];
    const nll = rows.map((x) => bias.reduce((sum, b, d) => sum + softplus(b) - x[d]! * b, 0));
    const expected = nll.reduce((a, b) => a + b, 0) / rows.length;
    // chunkSize 1000: blocks of 8, 8 and 4 examples; chunkSize 3: 3 samples at a time over k = 7; 1: one by one.
    for (const [k, chunkSize] of [[1, undefined], [7, 3], [7, 1], [1000, 1000], [9000, 9000]] as const) {
      const options = chunkSize === undefined ? { seed: 1 } : { seed: 1, chunkSize };
      expect(await vae.importanceWeightedBound(batch, k, options), `k = ${k}, chunkSize ${chunkSize}`).toBeCloseTo(expected, 4);
    }
    batch.dispose();
    vae.dispose();
  });

  it('gives the numbers the unchunked log-sum-exp gave for the same seed', async () => {
    const vae = tinyVae({ seed: 1 });
    const batch = tinyData(16);
    // Measured before the bound was streamed, when all k log-weights were kept and reduced at once.
    expect(await vae.importanceWeightedBound(batch, 100, { seed: 5, chunkSize: 100 })).toBeCloseTo(4.190787315368652, 5);
    expect(await vae.importanceWeightedBound(batch, 100, { seed: 5, chunkSize: 7 })).toBeCloseTo(4.127936363220215, 5);
    expect(await vae.importanceWeightedBound(batch, 1000, { seed: 6 })).toBeCloseTo(4.164734840393066, 5);
    expect(await vae.importanceWeightedBound(batch, 3, { seed: 0 })).toBeCloseTo(4.171659469604492, 5);
    batch.dispose();
    vae.dispose();
  });

  it('is leak-free, with one block or several', async () => {
    const vae = tinyVae({ seed: 1 });
    const batch = tinyData(20);
    await expectNoLeak(() => vae.importanceWeightedBound(batch, 5, { chunkSize: 2 }));
    await expectNoLeak(() => vae.importanceWeightedBound(batch, 3, { chunkSize: 3000 })); // blocks of 2 examples
    batch.dispose();
    vae.dispose();
  });
});

describe('importanceWeightedBound: yielding and aborting', () => {
  it('rejects at once with the reason of an already aborted signal, allocating nothing', async () => {
    const vae = tinyVae({ seed: 1 });
    const batch = tinyData(8);
    const reason = new Error('user cancelled');
    const before = tf.memory().numTensors;
    expect(await rejected(vae.importanceWeightedBound(batch, 100, { signal: AbortSignal.abort(reason) }))).toBe(reason);
    expect(tf.memory().numTensors).toBe(before);
    batch.dispose();
    vae.dispose();
  });

  it('lets a timer run between chunks, and an abort from it ends the evaluation with an AbortError, leaking nothing', async () => {
    const vae = tinyVae({ seed: 1 });
    const batch = tinyData(16);
    await vae.importanceWeightedBound(batch, 2, { seed: 1 });
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0); // fires only if the evaluation yields to the event loop
    const e = await rejected(vae.importanceWeightedBound(batch, 1_000_000, { chunkSize: 16, signal: controller.signal }));
    expect(e.name).toBe('AbortError');
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(await vae.importanceWeightedBound(batch, 4, { seed: 1 }))).toBe(true); // still usable
    batch.dispose();
    vae.dispose();
  });

  it('a VAE disposed between chunks rejects with a typed error, not a crash', async () => {
    const vae = tinyVae({ seed: 1 });
    const batch = tinyData(16);
    setTimeout(() => vae.dispose(), 0);
    const e = await rejected(vae.importanceWeightedBound(batch, 1_000_000, { chunkSize: 16 }));
    expect(e.kind, String(e)).toBe('value');
    expect(e.argument).toBe('this');
    batch.dispose();
  });

  it('checks its options', async () => {
    const vae = tinyVae({ seed: 1 });
    const batch = tinyData(4);
    const cases: [Record<string, unknown>, string][] = [
      [{ chunksize: 5 }, 'options.chunksize'],
      [{ signal: {} }, 'options.signal'],
      [{ signal: 'stop' }, 'options.signal'],
      [{ chunkSize: 0 }, 'options.chunkSize'],
      [{ seed: 1.5 }, 'options.seed'],
    ];
    for (const [options, argument] of cases) {
      const e = await rejected(vae.importanceWeightedBound(batch, 2, options as never));
      expect(isConfigError(e), String(e)).toBe(true);
      expect(e.argument).toBe(argument);
    }
    batch.dispose();
    vae.dispose();
  });
});
