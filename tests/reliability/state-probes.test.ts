import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { StateCheck, type StateProbes } from '../../src/internal/finite-check';
import { describeEachBackend } from '../helpers/backends';

/*
 * The step's finiteness check sums the weights and only the optimizer slots the weights do not vouch for, and leaves
 * Adam's weights out once its moments are verified. This is the claim that makes that sound: for each of tfjs's
 * optimizers, whenever an update leaves a non-finite value in any weight or slot, some probed value is non-finite too.
 */
const OPTIMIZERS: [string, (lr: number) => tf.Optimizer][] = [
  ['sgd', (lr) => tf.train.sgd(lr)],
  ['momentum', (lr) => tf.train.momentum(lr, 0.9)],
  ['nesterov momentum', (lr) => tf.train.momentum(lr, 0.9, true)],
  ['adagrad', (lr) => tf.train.adagrad(lr)],
  ['adadelta', (lr) => tf.train.adadelta(lr)],
  ['adam', (lr) => tf.train.adam(lr)],
  ['adamax', (lr) => tf.train.adamax(lr)],
  ['rmsprop', (lr) => tf.train.rmsprop(lr)],
  ['centered rmsprop with momentum', (lr) => tf.train.rmsprop(lr, 0.9, 0.5, 1e-7, true)],
];
const GRADIENTS = [0, 1, -3, 1e19, 1e20, -1e30, 3e38, NaN, Infinity, -Infinity];

function allState(optimizer: tf.Optimizer, variable: tf.Variable): tf.Tensor[] {
  const slots = Object.values(optimizer as unknown as Record<string, unknown>).flatMap((field) =>
    Array.isArray(field) ? field.map((s: { variable?: tf.Variable } | undefined) => s?.variable) : [field],
  );
  return [variable, ...slots.filter((s): s is tf.Variable => s instanceof tf.Variable)];
}

const finite = (t: tf.Tensor) => (t.dataSync() as Float32Array).every(Number.isFinite);

function readProbes(check: StateCheck, optimizer: tf.Optimizer, w: tf.Variable) {
  let probes: StateProbes | undefined;
  const tensor = tf.tidy(() => (probes = check.probe([{ optimizer, variables: [w] }], [w])).probes);
  const values = tensor.dataSync();
  tensor.dispose();
  const { names, settle } = probes!;
  const named = values.subarray(0, names.length);
  return {
    finite: named.every(Number.isFinite),
    skippedWeights: !names.includes(`weight ${w.name}`),
    settle: () => settle(values.subarray(names.length)),
  };
}

describeEachBackend('the state a step probes covers every non-finite value an optimizer can write', () => {
  for (const [name, make] of OPTIMIZERS) {
    it(name, () => {
      let cases = 0;
      let nonFinite = 0;
      let skipped = 0;
      for (const lr of [1e-3, 1, 1e30, 3e38]) {
        for (const first of GRADIENTS) {
          for (const second of GRADIENTS) {
            const optimizer = make(lr);
            const w = tf.variable(tf.tensor1d([0.5, -2]));
            const check = new StateCheck();
            const update = (g: number) =>
              tf.tidy(() => optimizer.applyGradients([{ name: w.name, tensor: tf.tensor1d([g, 0.25]) }]));
            // A first update the check sees (and, when all is finite, verifies), then one it judges.
            update(first);
            const seen = readProbes(check, optimizer, w);
            if (seen.finite) seen.settle();
            update(second);
            const written = allState(optimizer, w).every(finite);
            const judged = readProbes(check, optimizer, w);
            cases++;
            if (!written) nonFinite++;
            if (judged.skippedWeights) skipped++;
            // Sound: any non-finite value written shows in the probes.
            expect(written || !judged.finite, `lr ${lr}, gradients ${first} then ${second}: unnoticed`).toBe(true);
            // A sum past float32's range reads as non-finite too: only state well inside it must pass.
            const inRange = allState(optimizer, w).every((t) =>
              (t.dataSync() as Float32Array).every((x) => Math.abs(x) < 1e36),
            );
            if (inRange && written)
              expect(judged.finite, `lr ${lr}, gradients ${first} then ${second}: a false alarm`).toBe(true);
            optimizer.dispose();
            w.dispose();
          }
        }
      }
      expect(cases).toBe(400);
      expect(nonFinite).toBeGreaterThan(0);
      // Adam's weights go unprobed once verified, unless the learning rate could overflow them.
      expect(skipped > 0).toBe(name === 'adam');
    });
  }
});
