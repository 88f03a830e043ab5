import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SafeLeakyReLU,
  checkSecondDerivative,
  isConfigError,
  isShapeError,
  r1Penalty,
  registerGenerativeLayers,
  safeLeakyRelu,
  wassersteinDiscriminatorLoss,
  wassersteinGradientPenalty,
  type CriticFn,
} from '../../src';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from '../../src/wasm';
import { BACKENDS, describeEachBackend } from '../helpers/backends';
import { caught } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';

const POINTS = [-1e4, -3, -0.5, -1e-3, 0, 1e-3, 0.25, 2, 1e4];

describeEachBackend('safeLeakyRelu', () => {
  it('equals tf.leakyRelu (float32 rounding on the positive side), for several slopes', async () => {
    for (const alpha of [0.2, 0.01, 0, 1.5]) {
      const x = tf.tensor1d(POINTS);
      const [ours, theirs] = [await safeLeakyRelu(x, alpha).data(), await tf.leakyRelu(x, alpha).data()];
      ours.forEach((v, i) => expect(Math.abs(v - theirs[i]!)).toBeLessThanOrEqual(2e-7 * Math.abs(theirs[i]!)));
      x.dispose();
    }
  });

  it('has tf.leakyRelu’s first derivative, slope α at 0 included', async () => {
    const x = tf.tensor1d(POINTS);
    const ours = await tf
      .grad((v: tf.Tensor) => safeLeakyRelu(v, 0.2))(x)
      .data();
    const theirs = await tf
      .grad((v: tf.Tensor) => tf.leakyRelu(v, 0.2))(x)
      .data();
    expect([...ours]).toEqual([...theirs]);
    expect(ours[4]).toBeCloseTo(0.2, 7);
    x.dispose();
  });

  it('can be differentiated twice, unlike tf.leakyRelu: d²/dx² = 0', async () => {
    const x = tf.tensor1d(POINTS);
    const second = (act: (v: tf.Tensor) => tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.grad(act)(v)))(x);
    expect([...(await second((v) => safeLeakyRelu(v)).data())]).toEqual(POINTS.map(() => 0));
    expect(() => second((v) => tf.leakyRelu(v, 0.2))).toThrow(/gradient function not found for Greater/);
    x.dispose();
  });

  it('∂/∂w of its x-derivative at w·x matches finite differences of tf.leakyRelu’s first derivative', async () => {
    // g(w) = ∂/∂x leakyRelu(w·x) = w·leakyRelu′(w·x), so g′(w) = leakyRelu′(w·x) away from the kink.
    const x = tf.tensor1d([-2, -0.3, 0.4, 1.7]);
    const firstDerivative = (act: (v: tf.Tensor) => tf.Tensor, w: tf.Tensor) =>
      tf.grad((v: tf.Tensor) => act(tf.mul(w, v)))(x);
    const analytic = await tf
      .grad((w: tf.Tensor) => tf.sum(firstDerivative((v) => safeLeakyRelu(v, 0.2), w)))(tf.scalar(1.3))
      .data();
    const h = 1e-2;
    const at = async (w: number) => [...(await firstDerivative((v) => tf.leakyRelu(v, 0.2), tf.scalar(w)).data())];
    const [plus, minus] = [await at(1.3 + h), await at(1.3 - h)];
    const fd = plus.reduce((s, p, i) => s + (p - minus[i]!) / (2 * h), 0);
    expect(analytic[0]).toBeCloseTo(fd, 4);
    expect(analytic[0]).toBeCloseTo(0.2 + 0.2 + 1 + 1, 5); // Σ leakyRelu′(1.3·x)
    x.dispose();
  });

  it('is leak-free and checks α', async () => {
    const x = tf.tensor1d(POINTS);
    await expectNoLeak(() => safeLeakyRelu(x), 1);
    expect(isConfigError(caught(() => safeLeakyRelu(x, NaN)))).toBe(true);
    expect(caught(() => new SafeLeakyReLU({ alpha: '0.2' as unknown as number })).argument).toBe('args.alpha');
    x.dispose();
  });

  it('reads int32 and bool as float32, as tf.leakyRelu does, and refuses strings and complex64 (fuzz finding F24)', async () => {
    for (const dtype of ['int32', 'bool'] as const) {
      // The reference is tf.leakyRelu of the float32 copy: it casts by itself on cpu, but wasm has no bool kernel.
      const x = tf.tensor1d([-2, 0, 3], dtype);
      const floats = tf.cast(x, 'float32');
      const [ours, theirs] = [safeLeakyRelu(x, 0.2), tf.leakyRelu(floats, 0.2)];
      expect(ours.dtype).toBe('float32');
      expect([...(await ours.data())]).toEqual([...(await theirs.data())]);
      tf.dispose([x, floats, ours, theirs]);
    }
    const before = tf.memory().numTensors;
    const made = [() => tf.tensor(['a'], [1], 'string')];
    if (tf.getBackend() === 'cpu') made.push(() => tf.complex([1], [1])); // (wasm has no complex64 tensors)
    for (const make of made) {
      const x = make();
      const e = caught(() => safeLeakyRelu(x));
      x.dispose();
      expect(isShapeError(e), String(e)).toBe(true);
      expect(e.argument).toBe('x');
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('SafeLeakyReLU layer', () => {
  it('applies safeLeakyRelu, serialises its slope and loads back after registerGenerativeLayers()', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        new SafeLeakyReLU({ alpha: 0.1, name: 'safe' }),
      ],
    });
    const x = tf.tensor2d([
      [1, -2, 0.5],
      [-1, 0.3, 2],
    ]);
    const hidden = (model.layers[0]!.apply(x) as tf.Tensor).dataSync();
    const out = (model.predict(x) as tf.Tensor).dataSync();
    out.forEach((v, i) => expect(v).toBeCloseTo(hidden[i]! > 0 ? hidden[i]! : 0.1 * hidden[i]!, 6));
    expect(model.getLayer('safe').getConfig()['alpha']).toBe(0.1);

    registerGenerativeLayers();
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(
        async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
      ),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect([...(loaded.predict(x) as tf.Tensor).dataSync()]).toEqual([...out]);
    expect(loaded.layers[1]).toBeInstanceOf(SafeLeakyReLU);
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });
});

/** Builds a discriminator with `activation` after each hidden layer: an MLP on [2] or a small conv net on [8, 8, 1]. */
function discriminator(kind: 'mlp' | 'conv', activation: () => tfl.layers.Layer): tfl.Sequential {
  const init = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }) });
  const layers =
    kind === 'mlp'
      ? [
          tfl.layers.dense({ inputShape: [2], units: 32, ...init(1) }),
          activation(),
          tfl.layers.dense({ units: 32, ...init(2) }),
          activation(),
        ]
      : [
          tfl.layers.conv2d({
            inputShape: [8, 8, 1],
            filters: 8,
            kernelSize: 3,
            strides: 2,
            padding: 'same',
            ...init(3),
          }),
          activation(),
          tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', ...init(4) }),
          activation(),
          tfl.layers.flatten(),
        ];
  return tfl.sequential({ layers: [...layers, tfl.layers.dense({ units: 1, ...init(5) })] });
}

/**
 * Compares the analytic weight gradient of `penalty` with central finite differences on the first elements of each
 * variable. A leaky-ReLU network's input gradient jumps where a unit changes sign, so an element whose difference
 * with step h disagrees with the one with step h/2 crossed such a kink and is skipped. Returns the worst error
 * relative to the largest gradient element, and how many elements of each variable were compared.
 */
function sampledWeightGradientError(
  penalty: () => tf.Scalar,
  variables: tf.Variable[],
  h = 1e-3,
): { worst: number; compared: number[] } {
  const { value, grads } = tf.variableGrads(penalty, variables);
  const analytic = variables.map((v) => grads[v.name]?.dataSync() ?? new Float32Array(v.size));
  tf.dispose([value, ...Object.values(grads)]);
  const scale = Math.max(...analytic.flatMap((g) => [...g].map(Math.abs)));
  let worst = 0;
  const compared = variables.map((v, k) => {
    const base = v.dataSync().slice();
    const at = (i: number, d: number) => {
      const values = base.slice();
      values[i] = values[i]! + d;
      tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
      return tf.tidy(() => penalty().dataSync()[0]!);
    };
    let count = 0;
    for (let i = 0; i < Math.min(base.length, 8); i++) {
      const fd = (at(i, h) - at(i, -h)) / (2 * h);
      const half = (at(i, h / 2) - at(i, -h / 2)) / h;
      if (Math.abs(fd - half) > 2e-3 * scale) continue;
      worst = Math.max(worst, Math.abs(fd - analytic[k]![i]!) / scale);
      count++;
    }
    tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
    return count;
  });
  return { worst, compared };
}

describe.each(BACKENDS)('penalties through tfjs-layers discriminators with SafeLeakyReLU [%s]', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    if (backend === 'wasm') installWasmTrainingKernels();
  });
  afterAll(async () => {
    uninstallWasmTrainingKernels();
    await tf.setBackend('cpu');
  });

  describe.each(['mlp', 'conv'] as const)('%s', (kind) => {
    const batch = (seed: number) => tf.randomNormal(kind === 'mlp' ? [8, 2] : [4, 8, 8, 1], 0, 1, 'float32', seed);

    it('passes checkSecondDerivative; tf.layers.leakyReLU fails it naming Greater', () => {
      const safe = discriminator(kind, () => new SafeLeakyReLU({ alpha: 0.2 }));
      const stock = discriminator(kind, () => tfl.layers.leakyReLU({ alpha: 0.2 }));
      const x = batch(1);
      checkSecondDerivative((v) => safe.apply(v, { training: true }) as tf.Tensor, x);
      const e = caught(() => checkSecondDerivative((v) => stock.apply(v, { training: true }) as tf.Tensor, x));
      expect(isConfigError(e) && e.received.includes('Greater')).toBe(true);
      tf.dispose(x);
      safe.dispose();
      stock.dispose();
    });

    it('the penalty’s weight gradients match finite differences, in every layer', () => {
      const model = discriminator(kind, () => new SafeLeakyReLU({ alpha: 0.2 }));
      const critic: CriticFn = (v) => model.apply(v, { training: true }) as tf.Tensor;
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const [real, fake] = [batch(2), batch(3)];
      for (const penalty of [
        () => wassersteinGradientPenalty(critic, real, fake, { seed: 5 }),
        () => r1Penalty(critic, real),
      ]) {
        const { worst, compared } = sampledWeightGradientError(penalty, variables);
        expect(worst).toBeLessThan(1e-2);
        // Every variable but the output bias (which no input gradient depends on) has compared elements.
        expect(compared.slice(0, -1).every((n) => n >= 3)).toBe(true);
      }
      tf.dispose([real, fake]);
      model.dispose();
    });

    it('trains a critic step with the Wasserstein loss and WGAN-GP', () => {
      const model = discriminator(kind, () => new SafeLeakyReLU({ alpha: 0.2 }));
      const critic: CriticFn = (v) => model.apply(v, { training: true }) as tf.Tensor;
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const before = variables.map((v) => v.dataSync().slice());
      const [real, fake] = [batch(4), tf.add(batch(5), 1)];
      const optimizer = tf.train.adam(1e-3, 0.5, 0.9);
      const loss = optimizer.minimize(
        () =>
          tf.add(
            wassersteinDiscriminatorLoss(critic(real), critic(fake)),
            wassersteinGradientPenalty(critic, real, fake, { seed: 9 }),
          ) as tf.Scalar,
        true,
        variables,
      )!;
      expect(Number.isFinite(loss.dataSync()[0]!)).toBe(true);
      variables.forEach((v, i) => {
        const after = v.dataSync();
        expect(after.every(Number.isFinite)).toBe(true);
        // Every variable moved but the output bias, which cancels in mean D(fake) − mean D(real) and the penalty.
        expect(after.some((a, j) => a !== before[i]![j])).toBe(i < variables.length - 1);
      });
      tf.dispose([loss, real, fake]);
      optimizer.dispose();
      model.dispose();
    });
  });
});
