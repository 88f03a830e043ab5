import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  GAN,
  Trainer,
  acgan,
  hinge,
  dcganDiscriminator,
  dcganGenerator,
  decodeState,
  encodeState,
  isConfigError,
  isShapeError,
  isValueError,
  mlpDiscriminator,
  mlpGenerator,
  wassersteinGp,
  type GANConfig,
  type GANState,
  type LabelledBatch,
  type MlpDiscriminatorOptions,
  type StepLogs,
  type TrainerPosition,
} from '../../src';
import { describeEachBackend, useWasmTrainingKernels } from '../helpers/backends';
import { caught, rejected } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';
import { expectSameState } from '../helpers/state';

const CLASSES = 3;
const DATA = 6;

function conditionalGan(config: GANConfig = {}, discriminator: MlpDiscriminatorOptions = {}): GAN {
  const seed = config.seed ?? 0;
  return new GAN(config, {
    generator: mlpGenerator({ latentDim: 4, hiddenUnits: [8], outputShape: [DATA], classes: CLASSES, seed: seed + 1 }),
    discriminator: mlpDiscriminator({
      inputShape: [DATA],
      hiddenUnits: [8],
      classes: CLASSES,
      seed: seed + 2,
      ...discriminator,
    }),
  });
}

function labelledBatch(n = 12, seed = 3): LabelledBatch {
  return {
    x: tf.randomUniform([n, DATA], -1, 1, 'float32', seed),
    labels: tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % CLASSES),
      'int32',
    ),
  };
}

const disposeBatch = (b: LabelledBatch) => tf.dispose([b.x, b.labels]);

describe('conditional factories', () => {
  it('conditional MLP and DCGAN networks take [input, one-hot labels]; the ACGAN head is a second output', () => {
    for (const conditioning of ['one-hot', 'embedding'] as const) {
      const g = mlpGenerator({ latentDim: 4, outputShape: [DATA], classes: 5, conditioning, seed: 1 });
      expect(g.inputs.map((i) => i.shape)).toEqual([
        [null, 4],
        [null, 5],
      ]);
      expect(g.outputs[0]!.shape).toEqual([null, DATA]);
      const d = mlpDiscriminator({ inputShape: [DATA], classes: 5, conditioning, auxiliaryClassifier: true, seed: 2 });
      expect(d.inputs.length).toBe(2);
      expect(d.outputs.map((o) => o.shape)).toEqual([
        [null, 1],
        [null, 5],
      ]);
      const dg = dcganGenerator({ latentDim: 8, filters: [4, 2], classes: 5, conditioning, seed: 3 });
      expect(dg.inputs[1]!.shape).toEqual([null, 5]);
      expect(dg.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
      const dd = dcganDiscriminator({ filters: [2, 4], classes: 5, conditioning, auxiliaryClassifier: true, seed: 4 });
      expect(dd.inputs[1]!.shape).toEqual([null, 5]);
      const out = tf.tidy(() => {
        const o = dd.apply([
          tf.zeros([2, 28, 28, 1]),
          tf.cast(tf.oneHot(tf.tensor1d([0, 4], 'int32'), 5), 'float32'),
        ]) as tf.Tensor[];
        return o.map((t) => t.shape);
      });
      expect(out).toEqual([
        [2, 1],
        [2, 5],
      ]);
      for (const m of [g, d, dg, dd]) m.dispose();
    }
    const imageOnly = mlpDiscriminator({ classes: 4, conditioning: 'none', auxiliaryClassifier: true, seed: 1 });
    expect(imageOnly.inputs.length).toBe(1);
    expect(imageOnly.outputs.length).toBe(2);
    imageOnly.dispose();
  });

  it('unconditional networks are unchanged, and conditioning options without classes are refused', async () => {
    const a = mlpGenerator({ seed: 5 });
    expect(a.getClassName()).toBe('Sequential');
    a.dispose();
    expect(caught(() => mlpGenerator({ conditioning: 'embedding' })).argument).toBe('options.conditioning');
    expect(caught(() => mlpDiscriminator({ auxiliaryClassifier: true })).argument).toBe('options.auxiliaryClassifier');
    expect(caught(() => mlpDiscriminator({ classes: 3, conditioning: 'none' })).argument).toBe(
      'options.auxiliaryClassifier',
    );
    expect(caught(() => mlpGenerator({ classes: 1 })).argument).toBe('options.classes');
    expect(caught(() => mlpGenerator({ classes: 3, embeddingDim: 4 })).argument).toBe('options.embeddingDim');
    expect(isConfigError(caught(() => dcganGenerator({ classes: 3, conditioning: 'none' as never })))).toBe(true);
    // Sizes whose weights would pass 2^31 − 1 values are refused before anything is built, naming the option.
    expect(caught(() => mlpGenerator({ classes: 2 ** 28 })).argument).toBe('options.classes');
    expect(caught(() => dcganDiscriminator({ classes: 2 ** 26 })).argument).toBe('options.classes');
  });
});

describeEachBackend('conditional GAN', () => {
  it('trains on { x, labels }: finite logs, D and G both move; the batch is untouched', async () => {
    const gan = conditionalGan({ seed: 1 });
    expect(gan.classes).toBe(CLASSES);
    const batch = labelledBatch();
    const logs = await gan.trainStep(batch);
    for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
    expect(batch.x.isDisposed || batch.labels.isDisposed).toBe(false);
    gan.dispose();
    disposeBatch(batch);
  });

  it('refuses bad labels before any weight changes, naming them', async () => {
    const gan = conditionalGan({ seed: 2 });
    const before = await gan.getState();
    const x = tf.randomUniform([4, DATA], -1, 1);
    const cases: [tf.Tensor | undefined, (e: unknown) => boolean][] = [
      [tf.tensor1d([0, 1, 2, 0], 'float32'), isShapeError],
      [tf.tensor1d([0, 1, 2], 'int32'), isShapeError],
      [tf.tensor2d([[0], [1], [2], [0]], [4, 1], 'int32'), isShapeError],
      [tf.tensor1d([0, 1, 3, 0], 'int32'), isValueError],
      [tf.tensor1d([0, -1, 2, 0], 'int32'), isValueError],
    ];
    for (const [labels, guard] of cases) {
      const e = await rejected(gan.trainStep({ x, labels: labels! }));
      expect(guard(e)).toBe(true);
      expect(e.argument).toBe('realBatch.labels');
      labels!.dispose();
    }
    const missing = await rejected(gan.trainStep(x));
    expect(isValueError(missing)).toBe(true);
    expect(missing.argument).toBe('realBatch.labels');
    expectSameState(await gan.getState(), before);
    const plain = new GAN(
      { seed: 3 },
      {
        generator: mlpGenerator({ latentDim: 4, outputShape: [DATA] }),
        discriminator: mlpDiscriminator({ inputShape: [DATA] }),
      },
    );
    const labels = tf.tensor1d([0, 1, 2, 0], 'int32');
    const extra = await rejected(plain.trainStep({ x, labels } as never));
    expect(isValueError(extra)).toBe(true);
    expect(extra.argument).toBe('realBatch.labels');
    expect(isValueError(caught(() => plain.sample(2, { labels: [0, 1] })))).toBe(true);
    tf.dispose([x, labels]);
    gan.dispose();
    plain.dispose();
  });

  it('sample(n, { labels }) and generate(z, { labels }) follow the labels; reproducible; nothing leaks', async () => {
    const gan = conditionalGan({ seed: 4 });
    const batch = labelledBatch();
    await gan.trainStep(batch);
    const a = gan.sample(3, { seed: 1, labels: [0, 1, 2] });
    const b = gan.sample(3, { seed: 1, labels: tf.tensor1d([0, 1, 2], 'int32') });
    const c = gan.sample(3, { seed: 1, labels: [2, 2, 2] });
    expect(a.shape).toEqual([3, DATA]);
    expect(await a.data()).toEqual(await b.data());
    const [ad, cd] = [await a.array(), await c.array()] as number[][][];
    expect(ad![2]).toEqual(cd![2]); // same z, same class
    expect(ad![0]).not.toEqual(cd![0]); // same z, another class
    const z = tf.randomNormal([2, 4], 0, 1, 'float32', 2);
    const g = gan.generate(z, { labels: [1, 0] });
    expect(g.shape).toEqual([2, DATA]);
    expect(caught(() => gan.sample(3)).argument).toBe('options.labels');
    expect(caught(() => gan.sample(3, { labels: [0, 1] })).argument).toBe('options.labels');
    expect(isValueError(caught(() => gan.sample(2, { labels: [0, 3] })))).toBe(true);
    await expectNoLeak(() => gan.sample(4, { labels: [0, 1, 2, 0] }), 1);
    await expectNoLeak(() => gan.trainStep(batch));
    tf.dispose([a, b, c, z, g]);
    gan.dispose();
    disposeBatch(batch);
  });

  it('ACGAN: acgan() reads the class head; a D without one is refused at construction', async () => {
    const gan = conditionalGan(
      { seed: 5, objective: acgan({ weight: 0.5 }) },
      { conditioning: 'none', auxiliaryClassifier: true },
    );
    const batch = labelledBatch();
    const logs = await gan.trainStep(batch);
    for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
    // A chance classifier over 3 classes adds about 2·log 3 to D's loss.
    expect(logs.discriminatorLoss).toBeGreaterThan(2 * Math.LN2 + 0.5 * Math.log(CLASSES));
    gan.dispose();
    disposeBatch(batch);
    const e = caught(() => conditionalGan({ objective: acgan() }));
    expect(isConfigError(e)).toBe(true);
    expect(e.argument).toBe('networks.discriminator');
    expect(caught(() => new GAN({ objective: acgan() })).argument).toBe('config.objective');
  });

  it('a conditional G with an unconditional D (or classes that disagree) is refused', () => {
    const g = () => mlpGenerator({ latentDim: 4, outputShape: [DATA], classes: CLASSES });
    expect(
      caught(() => new GAN({}, { generator: g(), discriminator: mlpDiscriminator({ inputShape: [DATA] }) })).argument,
    ).toBe('networks.discriminator');
    const d4 = mlpDiscriminator({ inputShape: [DATA], classes: 4 });
    expect(caught(() => new GAN({}, { generator: g(), discriminator: d4 })).argument).toBe('networks.discriminator');
    expect(caught(() => conditionalGan({ classes: 5 })).argument).toBe('config.classes');
    const dOnly = mlpDiscriminator({ inputShape: [DATA], classes: CLASSES });
    expect(
      caught(
        () => new GAN({}, { generator: mlpGenerator({ latentDim: 4, outputShape: [DATA] }), discriminator: dOnly }),
      ).argument,
    ).toBe('networks.generator');
  });

  it('config.classes builds conditional default networks (with a class head under acgan)', async () => {
    const gan = new GAN({ seed: 6, classes: 10, objective: acgan() });
    expect(gan.generator.inputs.length).toBe(2);
    expect(gan.discriminator.outputs.length).toBe(2);
    const s = gan.sample(2, { labels: [3, 9] });
    expect(s.shape).toEqual([2, 784]);
    s.dispose();
    gan.dispose();
  });

  it('conditional WGAN-GP with 2 critic updates: the penalty sees the labels, the batch and labels are split', async () => {
    const gan = conditionalGan(
      { seed: 7, objective: wassersteinGp(), updates: { discriminator: 2 } },
      { activation: 'safeLeakyRelu', conditioning: 'embedding', embeddingDim: 4 },
    );
    const batch = labelledBatch(10);
    const logs = await gan.trainStep(batch);
    for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
    await expectNoLeak(() => gan.trainStep(batch));
    gan.dispose();
    disposeBatch(batch);
  });

  it('a conditional ACGAN run with EMA saved and resumed through the Trainer equals an uninterrupted one', async () => {
    const data = {
      x: tf.randomUniform([30, DATA], -1, 1, 'float32', 8),
      labels: tf.tensor1d(
        Array.from({ length: 30 }, (_, i) => (i * 7) % CLASSES),
        'int32',
      ),
    };
    const build = () =>
      conditionalGan(
        { seed: 9, objective: acgan(), ema: { decay: 0.9 }, updates: { discriminator: 2 } },
        { auxiliaryClassifier: true, dropout: 0.3 },
      );
    const options = { batchSize: 8, seed: 21, steps: 12 } as const;
    const straight = build();
    const straightLogs = (await new Trainer(straight).fit(data, options)).steps;
    const first = build();
    let bytes: ArrayBuffer | undefined;
    await new Trainer(first).fit(data, {
      ...options,
      callbacks: {
        async onStepEnd(step, _logs, ctx) {
          if (step === 4) {
            bytes = encodeState({ model: await first.getState(), trainer: ctx.position });
            ctx.stop();
          }
        },
      },
    });
    first.dispose();
    const checkpoint = decodeState(bytes!) as unknown as { model: GANState; trainer: TrainerPosition };
    const resumed = build();
    resumed.setState(checkpoint.model);
    const rest = await new Trainer(resumed).fit(data, { ...options, resumeFrom: checkpoint.trainer });
    expect(rest.steps).toEqual(straightLogs.slice(5) as StepLogs[]);
    expectSameState(await resumed.getState(), await straight.getState());
    const [s1, s2] = [
      straight.sample(3, { seed: 2, labels: [0, 1, 2] }),
      resumed.sample(3, { seed: 2, labels: [0, 1, 2] }),
    ];
    expect(await s1.data()).toEqual(await s2.data());
    tf.dispose([s1, s2, data.x, data.labels]);
    straight.dispose();
    resumed.dispose();
  });
});

describe('conditional DCGAN [wasm with the training kernels]', () => {
  useWasmTrainingKernels();

  it('one-hot label maps in D, an embedding in G, acgan(hinge): a finite step and samples per class', async () => {
    const gan = new GAN(
      { seed: 10, objective: acgan({ adversarial: hinge() }) },
      {
        generator: dcganGenerator({
          latentDim: 8,
          filters: [4, 2],
          classes: CLASSES,
          conditioning: 'embedding',
          seed: 11,
        }),
        discriminator: dcganDiscriminator({ filters: [2, 4], classes: CLASSES, auxiliaryClassifier: true, seed: 12 }),
      },
    );
    const batch = {
      x: tf.randomUniform([6, 28, 28, 1], -1, 1, 'float32', 1),
      labels: tf.tensor1d([0, 1, 2, 2, 1, 0], 'int32'),
    };
    const logs = await gan.trainStep(batch);
    for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
    const s = gan.sample(3, { labels: [2, 1, 0], seed: 1 });
    expect(s.shape).toEqual([3, 28, 28, 1]);
    tf.dispose([s, batch.x, batch.labels]);
    gan.dispose();
  });
});
