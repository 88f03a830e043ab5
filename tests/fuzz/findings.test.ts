/**
 * Regression tests for what the fuzz tier found (F1–F25, reported to the lead with the call, the input, what
 * happened and what should). Each is the minimal case, written out so it runs without fast-check; one still open when
 * this file was written is marked `it.fails` and says so.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import {
  GAN,
  MLP_GAN_RECIPES,
  SeedStream,
  StepError,
  stateFromArtifacts,
  stateToArtifacts,
  SeededDropout,
  Trainer,
  assertKernelsAvailable,
  checkSecondDerivative,
  exportNetwork,
  gaussianReconstructionLoss,
  imageGrid,
  isConfigError,
  isGenerativeError,
  isShapeError,
  isStateError,
  isStepError,
  isValueError,
  logitObjective,
  minimaxDiscriminatorLoss,
  missingKernels,
  convDecoder,
  convEncoder,
  dcganDiscriminator,
  dcganGenerator,
  mlpDecoder,
  mlpEncoder,
  mlpGenerator,
  negativeElbo,
  nonSaturatingGeneratorLoss,
  probeBackend,
  trainingKernels,
  mlpDiscriminator,
  safeLeakyRelu,
  wassersteinGp,
  VAE,
  type GANState,
  type VAEState,
} from '../../src';
import { tinyBatch, tinyGan } from '../helpers/gan';
import { expectSameState } from '../helpers/state';
import { tinyData, tinyVae } from '../helpers/vae';

/** What `fn` threw or rejected with (undefined when it returned). */
async function thrownBy(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The paths of a state's typed arrays that hold a non-finite value. */
function nonFiniteParts(state: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown, path: string): void => {
    if (v instanceof Float32Array) {
      if (v.some((x) => !Number.isFinite(x))) out.push(path);
    } else if (typeof v === 'object' && v !== null) for (const [k, c] of Object.entries(v)) visit(c, `${path}.${k}`);
  };
  visit(state, 'state');
  return out;
}

/** A GAN trained two steps, and its state after the first. */
async function twoStepGan(): Promise<{ gan: GAN; old: GANState }> {
  const gan = tinyGan({ seed: 1 });
  const batch = tinyBatch();
  await gan.trainStep(batch);
  const old = await gan.getState();
  await gan.trainStep(batch);
  batch.dispose();
  return { gan, old };
}

describe('fuzz findings', () => {
  it('F1: setState with a non-integer seed in a seed stream is a StateError and changes nothing', async () => {
    const { gan, old } = await twoStepGan();
    const current = await gan.getState();
    const e = await thrownBy(() => gan.setState({ ...old, seeds: { ...old.seeds, sample: [1.5, 0] } }));
    expect(isStateError(e), String(e)).toBe(true);
    expectSameState(await gan.getState(), current);
    gan.dispose();

    const vae = tinyVae({ seed: 1 });
    const data = tinyData();
    await vae.trainStep(data);
    const vold = await vae.getState();
    await vae.trainStep(data);
    const vcurrent = await vae.getState();
    const e2 = await thrownBy(() =>
      vae.setState({ ...vold, seeds: { ...vold.seeds, eval: [2 ** 60, 0] } } as VAEState),
    );
    expect(isStateError(e2), String(e2)).toBe(true);
    expectSameState(await vae.getState(), vcurrent);
    vae.dispose();
    data.dispose();
  });

  it('F2: setState with a malformed optimizer state is a StateError naming it', async () => {
    const { gan, old } = await twoStepGan();
    const bad = [
      { ...old, generatorOptimizer: null },
      { ...old, generatorOptimizer: { ...old.generatorOptimizer, scalars: undefined } },
      { ...old, discriminatorOptimizer: { ...old.discriminatorOptimizer, slots: 3 } },
    ];
    for (const state of bad) {
      const e = await thrownBy(() => gan.setState(state as unknown as GANState));
      expect(isStateError(e), String(e)).toBe(true);
      expect((e as { argument: string }).argument).toMatch(/^state\.(generator|discriminator)Optimizer/);
    }
    gan.dispose();
  });

  it('F3: values a message cannot print (a bigint, a null-prototype object) still give typed errors', async () => {
    const logits = tf.zeros([2, 1]);
    for (const fn of [
      () => nonSaturatingGeneratorLoss(logits, { reduction: 10n as never }),
      () => minimaxDiscriminatorLoss(logits, logits, { labelSmoothing: Object.create(null) as never }),
      () => new SeedStream(1, Object.create(null) as never),
    ]) {
      const e = await thrownBy(fn);
      expect(isGenerativeError(e), String(e)).toBe(true);
    }
    logits.dispose();
  });

  it('F4: the Gaussian reconstruction term is never NaN for a finite log-variance', async () => {
    const t = tf.tensor2d([[0, 0.5]]);
    const loss = gaussianReconstructionLoss(t, t, { logVar: -100 });
    expect(Number.isNaN((await loss.data())[0])).toBe(false);
    tf.dispose([t, loss]);
  });

  it('F5: β = 0 with an overflowing KL is the reconstruction term, not NaN', async () => {
    const t = tf.tensor2d([[0, 0.5]]);
    const mean = tf.zeros([1, 2]);
    const logVar = tf.fill([1, 2], 100);
    const { loss, reconstruction, kl } = negativeElbo(t, t, mean, logVar, { beta: 0 });
    const [l, r] = [(await loss.data())[0]!, (await reconstruction.data())[0]!];
    expect(Number.isNaN(l)).toBe(false);
    expect(l).toBeCloseTo(r, 5);
    tf.dispose([t, mean, logVar, loss, reconstruction, kl]);
  });

  it('F6: an imageGrid range narrower than float32 can tell apart is refused (or gives no NaN)', async () => {
    const images = tf.zeros([1, 2, 2, 1]);
    const e = await thrownBy(async () => {
      const grid = imageGrid(images, { range: [0, 1e-46], padding: 0 });
      const values = await grid.data();
      grid.dispose();
      if (Array.from(values).some(Number.isNaN)) throw new Error('NaN in the grid');
    });
    expect(e === undefined || isConfigError(e), String(e)).toBe(true);
    images.dispose();
  });

  it('F7: imageGrid and probeBackend check their options objects', async () => {
    const images = tf.zeros([1, 2, 2, 1]);
    for (const fn of [
      () => imageGrid(images, { rowz: 2 } as never),
      () => imageGrid(images, null as never),
      () => probeBackend({ secondDerivative: false } as never),
      () => probeBackend(null as never),
    ]) {
      const e = await thrownBy(fn);
      expect(isConfigError(e), String(e)).toBe(true);
    }
    images.dispose();
  });

  it('F8: the kernel checks refuse a value that is not a network with a typed error', async () => {
    for (const fn of [
      () => trainingKernels({} as never),
      () => missingKernels(null as never),
      () => assertKernelsAvailable('x' as never, 'net'),
    ]) {
      const e = await thrownBy(fn);
      expect(isGenerativeError(e), String(e)).toBe(true);
    }
  });

  it('F9: a size that cannot be allocated is refused with a typed error, and nothing is left allocated', async () => {
    const gan = tinyGan({ seed: 2 });
    const before = tf.memory().numTensors;
    expect(isGenerativeError(await thrownBy(() => gan.sample(2 ** 40)))).toBe(true);
    expect(isGenerativeError(await thrownBy(() => mlpGenerator({ hiddenUnits: [2 ** 40] })))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
  });

  it('F9b: a factory weight whose size product cannot be allocated is a ConfigError naming the option, and nothing leaks', async () => {
    const H = 2 ** 40;
    const cases: [() => unknown, string][] = [
      [() => convDecoder({ latentDim: H, denseUnits: 5, imageShape: [4, 4, 1], filters: [2] }), 'options.latentDim'],
      [() => convEncoder({ latentDim: H, denseUnits: 5, imageShape: [4, 4, 1], filters: [2] }), 'options.latentDim'],
      [() => mlpEncoder({ latentDim: H, hiddenUnits: [3], inputShape: [2] }), 'options.latentDim'],
      [() => mlpDecoder({ latentDim: H, hiddenUnits: [3], outputShape: [2] }), 'options.latentDim'],
      [() => mlpGenerator({ latentDim: H, hiddenUnits: [3], outputShape: [2] }), 'options.latentDim'],
      [() => dcganGenerator({ latentDim: H, imageShape: [4, 4, 1], filters: [2, 2] }), 'options.latentDim'],
      [
        () => mlpGenerator({ latentDim: 2, hiddenUnits: [2 ** 20, 2 ** 20], outputShape: [2] }),
        'options.hiddenUnits[1]',
      ],
      [() => convEncoder({ denseUnits: H, imageShape: [4, 4, 1], filters: [2] }), 'options.denseUnits'],
      [
        () => dcganGenerator({ kernelSize: H, latentDim: 2, imageShape: [4, 4, 1], filters: [2, 2] }),
        'options.kernelSize',
      ],
      [() => mlpDiscriminator({ inputShape: [2 ** 20, 2 ** 20], hiddenUnits: [2] }), 'options.inputShape[1]'],
      [
        () => mlpGenerator({ latentDim: 2, hiddenUnits: [2], outputShape: [2 ** 20, 2 ** 20] }),
        'options.outputShape[1]',
      ],
      [() => dcganDiscriminator({ imageShape: [2 ** 12, 2 ** 12, 1], filters: [2 ** 13, 2] }), 'options.filters[0]'],
      [
        () => convDecoder({ imageShape: [2 ** 10, 2 ** 10, 1], filters: [2 ** 12], denseUnits: 2 }),
        'options.filters[0]',
      ],
      // A model building its default networks names its own config field, which the caller wrote.
      [() => new GAN({ latentDim: H }), 'config.latentDim'],
      [() => new GAN({ dataShape: [2 ** 20, 2 ** 20] }), 'config.dataShape[1]'],
      [() => new VAE({ latentDim: H }), 'config.latentDim'],
      [() => new VAE({ dataShape: [2 ** 20, 2 ** 20] }), 'config.dataShape[1]'],
    ];
    const before = tf.memory().numTensors;
    for (const [call, argument] of cases) {
      const e = await thrownBy(call);
      expect(isConfigError(e), String(e)).toBe(true);
      expect((e as { argument: string }).argument, String(e)).toBe(argument);
      expect(tf.memory().numTensors, argument).toBe(before);
    }
  });

  it('F9b: a factory that fails part-way frees the weights it built', async () => {
    // A layer tfjs refuses late stands in for a weight the device cannot allocate.
    const layers = tfl.layers as { reshape: unknown; flatten: unknown };
    const [reshape, flatten] = [layers.reshape, layers.flatten];
    const refuse = () => {
      throw new Error('refused');
    };
    const before = tf.memory().numTensors;
    try {
      layers.reshape = refuse;
      layers.flatten = refuse;
      for (const build of [
        () => mlpGenerator({ latentDim: 2, hiddenUnits: [3], outputShape: [2, 2] }),
        () => mlpDecoder({ latentDim: 2, hiddenUnits: [3], outputShape: [2, 2] }),
        () => mlpEncoder({ latentDim: 2, hiddenUnits: [3], inputShape: [2, 2] }),
        () => convEncoder({ latentDim: 2, imageShape: [4, 4, 1], filters: [2], denseUnits: 3 }),
        () => convDecoder({ latentDim: 2, imageShape: [4, 4, 1], filters: [2], denseUnits: 3 }),
        () => dcganGenerator({ latentDim: 2, imageShape: [4, 4, 1], filters: [2, 2] }),
        () => dcganDiscriminator({ imageShape: [4, 4, 1], filters: [2, 2] }),
      ]) {
        expect((await thrownBy(build)) as Error).toHaveProperty('message', 'refused');
        expect(tf.memory().numTensors).toBe(before);
      }
    } finally {
      layers.reshape = reshape;
      layers.flatten = flatten;
    }
  });

  it('F25: a factory refuses null options as the models do', async () => {
    const cases: [() => unknown, string][] = [
      [
        () => convDecoder({ latentDim: null as never, imageShape: [4, 4, 1], filters: [3], denseUnits: 2 }),
        'options.latentDim',
      ],
      [() => mlpGenerator({ hiddenUnits: null as never }), 'options.hiddenUnits'],
      [() => mlpDiscriminator({ dropout: null as never }), 'options.dropout'],
      [() => mlpEncoder({ activation: null as never }), 'options.activation'],
      [() => dcganGenerator({ kernelSize: null as never }), 'options.kernelSize'],
      [() => dcganDiscriminator({ imageShape: null as never }), 'options.imageShape'],
      [() => mlpDecoder({ name: null as never }), 'options.name'],
      [() => mlpGenerator({ seed: null as never }), 'options.seed'],
    ];
    for (const [call, argument] of cases) {
      const e = await thrownBy(call);
      expect(isConfigError(e), String(e)).toBe(true);
      expect((e as { argument: string }).argument).toBe(argument);
    }
  });

  it("F10: inference calls check for parts disposed behind the model's back", async () => {
    const gan = tinyGan({ seed: 3 });
    gan.generator.layers[1]!.dispose();
    const z = tf.zeros([1, gan.latentDim]);
    const e = await thrownBy(() => gan.generate(z));
    expect(isValueError(e), String(e)).toBe(true);
    expect((e as { argument: string }).argument).toBe('networks.generator');
    z.dispose();
    gan.dispose();
  });

  it('F11: SeedStream.fork takes safe integers only', async () => {
    for (const label of [1.5, NaN, 'x']) {
      expect(isValueError(await thrownBy(() => new SeedStream(1).fork(label as never)))).toBe(true);
    }
  });

  it('F12: a GAN takes custom optimizers whether or not its networks are given', () => {
    const gan = new GAN({
      latentDim: 4,
      dataShape: [6],
      generatorOptimizer: tf.train.adam(1e-3),
      discriminatorOptimizer: tf.train.adam(1e-3),
    });
    gan.dispose();
  });

  it('F13: a factory name tfjs cannot use is a ConfigError naming options.name', async () => {
    for (const name of ['with space', '', '-x', '_x']) {
      const e = await thrownBy(() => mlpGenerator({ name, latentDim: 2, hiddenUnits: [3], outputShape: [2] }));
      expect(isConfigError(e), `${JSON.stringify(name)}: ${String(e)}`).toBe(true);
      expect((e as { argument: string }).argument).toBe('options.name');
    }
  });

  it('F14: MLP_GAN_RECIPES cannot be changed', () => {
    const units = MLP_GAN_RECIPES.recommended.generator.hiddenUnits as number[];
    const before = [...units];
    try {
      units.push(7);
    } catch {
      // frozen
    }
    const after = [...units];
    if (after.length !== before.length) units.pop();
    expect(after).toEqual(before);
  });

  it('F15: assertKernelsAvailable checks its argument name', async () => {
    for (const argument of ['', Symbol('x')]) {
      const e = await thrownBy(() => assertKernelsAvailable({} as never, argument as never));
      expect(isValueError(e), String(e)).toBe(true);
      expect((e as { argument: string }).argument).toBe('argument');
    }
  });

  it('F16: exportNetwork refuses a disposed network with a ValueError naming model', async () => {
    const net = mlpEncoder({ inputShape: [6], hiddenUnits: [8], latentDim: 2 });
    net.dispose();
    const handler = tf.io.withSaveHandler(async () => ({
      modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' },
    }));
    const e = await thrownBy(() => exportNetwork(net, handler));
    expect(isValueError(e), String(e)).toBe(true);
    expect((e as { argument: string }).argument).toBe('model');
  });

  // Open when written: see the report.
  it('F18: new SeededDropout() without an args object is a ConfigError naming args', async () => {
    for (const args of [undefined, null, 3]) {
      const e = await thrownBy(() => new SeededDropout(args as never));
      expect(isConfigError(e), String(e)).toBe(true);
      expect((e as { argument: string }).argument).toBe('args');
    }
  });

  it('F19: a disposed optimizer is refused at construction', async () => {
    const o = tf.train.adam(1e-3);
    o.dispose();
    const e = await thrownBy(() => new GAN({ latentDim: 4, dataShape: [6], generatorOptimizer: o }).dispose());
    expect(isValueError(e), String(e)).toBe(true);
    expect((e as { argument: string }).argument).toBe('config.generatorOptimizer');
  });

  it('F20: a GAN step refused by the second-derivative check leaks nothing and leaves no tape', async () => {
    const gan = new GAN(
      { latentDim: 4, dataShape: [6], objective: wassersteinGp({ lambda: 10 }) },
      { generator: mlpGenerator({ latentDim: 4, hiddenUnits: [8], outputShape: [6], seed: 1 }) },
    );
    const x = tf.randomUniform([4, 6], -1, 1);
    const before = tf.memory().numTensors;
    const e = await thrownBy(() => gan.trainStep(x));
    const state = (tf.engine() as unknown as { state: { activeTape?: unknown[] | null } }).state;
    const tape = state.activeTape?.length ?? 0;
    const leaked = tf.memory().numTensors - before;
    // Leave the engine as later tests expect it, whatever happened: a new gradient drops the old tape.
    tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(a))(x));
    gan.dispose();
    x.dispose();
    expect(isConfigError(e), String(e)).toBe(true);
    expect(leaked, 'tensors leaked').toBe(0);
    expect(tape, 'tape nodes left').toBe(0);
  });

  it('F19b: a model given a Momentum optimizer frees all of it (tfjs leaves its learning-rate scalar)', async () => {
    const before = tf.memory().numTensors;
    const gan = new GAN({ latentDim: 4, dataShape: [6], generatorOptimizer: tf.train.momentum(1e-3, 0.9) });
    const x = tf.randomUniform([4, 6], -1, 1);
    await gan.trainStep(x);
    gan.dispose();
    x.dispose();
    expect(tf.memory().numTensors - before).toBe(0);
  });

  it('F21: a null optimizer in a model config is a ConfigError naming it', async () => {
    const e = await thrownBy(() => new GAN({ latentDim: 2, dataShape: [3], discriminatorOptimizer: null as never }));
    expect(isConfigError(e), String(e)).toBe(true);
    expect((e as { argument: string }).argument).toBe('config.discriminatorOptimizer');
    const e2 = await thrownBy(() => new VAE({ dataShape: [3], optimizer: null as never }));
    expect(isConfigError(e2), String(e2)).toBe(true);
    expect((e2 as { argument: string }).argument).toBe('config.optimizer');
  });

  it('F22: a step that would leave Infinity in an optimizer slot is rolled back', async () => {
    const gan = new GAN(
      {
        seed: 1,
        latentDim: 4,
        dataShape: [6],
        discriminatorOptimizer: tf.train.adagrad(2 ** 40),
        objective: wassersteinGp({ lambda: 10 }),
        updates: { generator: 2 },
      },
      {
        generator: mlpGenerator({
          latentDim: 4,
          hiddenUnits: [8],
          outputShape: [6],
          batchNorm: true,
          activation: 'leakyRelu',
          seed: 2,
        }),
        discriminator: mlpDiscriminator({ inputShape: [6], hiddenUnits: [8], dropout: 0.3, seed: 3 }),
      },
    );
    const x = tf.randomUniform([4, 6], -1, 1, 'float32', 5);
    try {
      await thrownBy(() => gan.trainStep(x)); // either it throws a NonFiniteError, or it must leave everything finite
      expect(nonFiniteParts(await gan.getState())).toEqual([]);
    } finally {
      gan.dispose();
      x.dispose();
    }
  });

  // F23 part (a); part (b), a step that writes non-finite weights whatever the cause, is F22's.
  it('F23: a hyper-parameter that is not finite in float32 is refused, naming it', async () => {
    const cases: [() => tf.Optimizer, string][] = [
      [() => tf.train.sgd(1e39), 'learningRate'],
      [() => tf.train.rmsprop(Number.MAX_VALUE), 'learningRate'], // (not Momentum: tfjs leaks its scalar, F19b)
      [() => tf.train.adam(1e39), 'learningRate'],
      [() => tf.train.rmsprop(1e-3, 0.9, 1e39), 'momentum'],
      [() => tf.train.adamax(1e-3, 0.9, 0.999, 1e-7, 1e39), 'decay'],
      [() => tf.train.adagrad(1e-3, 1e39), 'initialAccumulatorValue'],
    ];
    const before = tf.memory().numTensors;
    for (const [make, field] of cases) {
      const optimizer = make();
      const e = await thrownBy(() => new VAE({ seed: 1, dataShape: [6], optimizer }).dispose());
      optimizer.dispose();
      expect(isConfigError(e), String(e)).toBe(true);
      expect((e as { argument: string }).argument).toBe(`config.optimizer.${field}`);
    }
    // A field changed after construction is what the update reads, so it is checked too.
    const late = tf.train.sgd(1e-3);
    (late as unknown as { learningRate: number }).learningRate = 1e39;
    const e = await thrownBy(() => new GAN({ latentDim: 2, dataShape: [3], generatorOptimizer: late }).dispose());
    late.dispose();
    expect((e as { argument: string }).argument).toBe('config.generatorOptimizer.learningRate');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('F24: safeLeakyRelu refuses a string tensor with a ShapeError naming x', async () => {
    const s = tf.tensor(['a'], [1], 'string');
    const e = await thrownBy(() => safeLeakyRelu(s as never));
    s.dispose();
    expect(isShapeError(e), String(e)).toBe(true);
  });

  it('F26: a user loss that throws a null-prototype object gives a StepError', async () => {
    const odd = Object.create(null) as object;
    const error = new StepError('update', odd);
    expect(error.cause).toBe(odd);
    expect(error.received).toBe('an object');
    const sym = Symbol('s');
    expect(new StepError('update', sym).cause).toBe(sym);
    expect(new StepError('update', 10n).received).toBe('10n (a bigint)');
    const gan = tinyGan({
      seed: 4,
      objective: logitObjective(
        () => {
          throw odd;
        },
        (r, f) => minimaxDiscriminatorLoss(r, f),
      ),
    });
    const batch = tinyBatch(4);
    try {
      const e = await thrownBy(() => gan.trainStep(batch));
      expect(isStepError(e), String(e)).toBe(true);
      expect((e as StepError).cause).toBe(odd);
    } finally {
      gan.dispose();
      batch.dispose();
    }
  });

  it('F27: stateFromArtifacts refuses a weight spec holding a bigint with a StateError', async () => {
    const artifacts = stateToArtifacts(new Uint8Array([5]));
    (artifacts.weightSpecs![0] as { shape: unknown[] }).shape = [10n];
    const e = await thrownBy(() => stateFromArtifacts(artifacts));
    expect(isStateError(e), String(e)).toBe(true);
    expect((e as { argument: string }).argument).toBe('artifacts.weightSpecs[0]');
    // Nor a cycle, nor a bigint where the spec is otherwise well-formed (its quantization).
    const cyclic = stateToArtifacts(new Uint8Array([5]));
    const spec = cyclic.weightSpecs![0] as unknown as Record<string, unknown>;
    spec['shape'] = 'x';
    spec['self'] = spec;
    expect(isStateError(await thrownBy(() => stateFromArtifacts(cyclic)))).toBe(true);
    const quantized = stateToArtifacts(new Uint8Array([5]));
    (quantized.weightSpecs![0] as { quantization: unknown }).quantization = { dtype: 'uint8', scale: 1n, min: 0 };
    expect(isStateError(await thrownBy(() => stateFromArtifacts(quantized)))).toBe(true);
  });

  it('F28: a β that is 0 in float32 gives no NaN gradient with an overflowing KL', async () => {
    const [t, o, m, lv] = [
      tf.tensor2d([[0.3]]),
      tf.tensor2d([[1.5]]),
      tf.tensor2d([[0.2, -0.4]]),
      tf.fill([1, 2], 1000),
    ];
    const f = (x: tf.Tensor) =>
      tf.add(
        negativeElbo(t, o, m, x, { beta: 9.73e-46, likelihood: 'gaussian', decoderLogVar: 1000, reduction: 'sum' })
          .loss,
        tf.mul(tf.sum(x), 0),
      ) as tf.Scalar;
    const g = tf.grad(f)(lv);
    const values = Array.from(await g.data());
    tf.dispose([t, o, m, lv, g]);
    expect(values.some(Number.isNaN)).toBe(false);
  });

  it('F30: checkSecondDerivative passes a critic with no trainable variable (none in the engine at all)', async () => {
    // The fuzz hit it in a process with no trainable variable registered; a frozen list takes the same path in tfjs.
    const frozen = tf.variable(tf.ones([3, 1]), false);
    const input = tf.ones([2, 3]);
    expect(
      await thrownBy(() => checkSecondDerivative((v) => tf.matMul(v, frozen), input, { variables: [frozen] })),
    ).toBeUndefined();
    tf.dispose([frozen, input]);
  });

  it('F31: importanceWeightedBound with an already-aborted signal changes nothing, the eval stream included', async () => {
    const vae = tinyVae({ seed: 1 });
    const x = tf.randomUniform([1, vae.dataShape[0]!], 0, 1, 'float32', 2);
    try {
      const before = (await vae.getState()).seeds;
      const e = await thrownBy(() => vae.importanceWeightedBound(x, 3, { signal: AbortSignal.abort() }));
      expect((e as Error).name).toBe('AbortError');
      expect((await vae.getState()).seeds).toEqual(before);
    } finally {
      vae.dispose();
      x.dispose();
    }
  });

  it('F17: Trainer.fit refuses a dataset it cannot batch (complex64) with a ShapeError naming data', async () => {
    const data = tf.complex(tf.ones([5, 7]), tf.zeros([5, 7]));
    const model = { trainStep: () => ({ loss: 1 }) };
    const e = await thrownBy(() => new Trainer(model).fit(data, { batchSize: 5, shuffle: true }));
    expect(isShapeError(e), String(e)).toBe(true);
    expect((e as { argument: string }).argument).toBe('data');
    data.dispose();
  });
});
