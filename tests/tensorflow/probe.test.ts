import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  GAN,
  assertKernelsAvailable,
  dcganDiscriminator,
  dcganGenerator,
  missingKernels,
  mlpDiscriminator,
  mlpGenerator,
  probeBackend,
  trainingKernels,
} from '../../src';
import { describeOnTensorflow } from '../helpers/tensorflow';

function smallDcgan(): GAN {
  const imageShape = [8, 8, 1] as const;
  return new GAN(
    { seed: 1 },
    {
      generator: dcganGenerator({ imageShape, filters: [4, 3], latentDim: 4, seed: 1 }),
      discriminator: dcganDiscriminator({ imageShape, filters: [3, 4], seed: 2 }),
    },
  );
}

describeOnTensorflow('probeBackend', () => {
  it('reports the native backend, float32 numerics, no webgl fields and no missing kernels', () => {
    expect(probeBackend({ secondDerivatives: false })).toMatchObject({
      backend: 'tensorflow',
      webglVersion: 0,
      textureFloat: 'n/a',
      defaultEpsilon: 1e-7,
      safeEpsilon: 1e-7,
      secondDerivatives: null,
      missingKernels: [],
      untrainableLayers: [],
    });
  });

  it('differentiates twice through everything but leakyRelu, whose gradient goes through Greater, without leaking', () => {
    const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
    const report = probeBackend().secondDerivatives!;
    expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual(before);
    const byOp = Object.fromEntries(report.checks.map((c) => [c.op, c]));
    for (const op of ['matMul', 'relu', 'sigmoid', 'tanh', 'softplus', 'conv2d']) expect(byOp[op], op).toMatchObject({ ok: true });
    expect(byOp['leakyRelu']).toMatchObject({ ok: false, error: expect.stringContaining('Greater') });
    expect(report.supported).toBe(false);
  });

  it('lets training continue normally after the failed checks', async () => {
    probeBackend();
    const gan = new GAN({ seed: 1 }, {
      generator: mlpGenerator({ latentDim: 4, hiddenUnits: [8], outputShape: [6], seed: 2 }),
      discriminator: mlpDiscriminator({ inputShape: [6], hiddenUnits: [8], seed: 3 }),
    });
    const batch = tf.randomUniform([8, 6], -1, 1, 'float32', 4);
    const logs = await gan.trainStep(batch);
    expect(Number.isFinite(logs.discriminatorLoss) && Number.isFinite(logs.generatorLoss)).toBe(true);
    batch.dispose();
    gan.dispose();
  });

  // The kernel table is measured on cpu. tfjs-node builds its Step kernel (ReLU's gradient) from other kernels, IsNan
  // and Fill among them, which tf.profile records too: registered here, and no layer asks for them on other backends.
  it('has every kernel a DCGAN step needs; the step dispatches nothing else but what tfjs-node composes Step of', async () => {
    const gan = smallDcgan();
    expect(() => assertKernelsAvailable(gan.generator, 'networks.generator')).not.toThrow();
    expect(() => assertKernelsAvailable(gan.discriminator, 'networks.discriminator')).not.toThrow();
    expect(missingKernels(gan.generator, 'tensorflow')).toEqual([]);
    const batch = tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', 5);
    const info = await tf.profile(async () => {
      await gan.trainStep(batch);
    });
    const ran = [...new Set(info.kernelNames.filter((n) => !n.includes('__op')))];
    const listed = new Set([...trainingKernels(gan.generator).kernels, ...trainingKernels(gan.discriminator).kernels]);
    expect(ran.filter((k) => !listed.has(k)).sort()).toEqual(['Fill', 'IsNan']);
    batch.dispose();
    gan.dispose();
  });
});
