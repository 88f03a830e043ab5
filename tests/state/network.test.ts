import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { SeededDropout, dcganDiscriminator, mlpDiscriminator, mlpGenerator } from '../../src/architectures';
import { isValueError } from '../../src/errors';
import { exportNetwork } from '../../src/state';
import { rejected } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';

/** A save handler that keeps the artifacts, their JSON parts passed through JSON text as file and http handlers do. */
function capture() {
  const box: { artifacts?: tf.io.ModelArtifacts } = {};
  const handler = tf.io.withSaveHandler(async (artifacts) => {
    box.artifacts = {
      ...artifacts,
      modelTopology: JSON.parse(JSON.stringify(artifacts.modelTopology)),
      weightSpecs: JSON.parse(JSON.stringify(artifacts.weightSpecs)),
    };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  });
  return { handler, load: () => tfl.loadLayersModel(tf.io.fromMemory(box.artifacts!)) };
}

function expectSamePredictions(a: tfl.LayersModel, b: tfl.LayersModel, inputShape: number[]): void {
  const x = tf.randomNormal([5, ...inputShape], 0, 1, 'float32', 11);
  const ya = a.predict(x) as tf.Tensor;
  const yb = b.predict(x) as tf.Tensor;
  expect(yb.shape).toEqual(ya.shape);
  expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
  tf.dispose([x, ya, yb]);
}

const classNames = (m: tfl.LayersModel) => m.layers.map((l) => l.getClassName());

describe('exportNetwork', () => {
  it('writes what plain tfjs-layers cannot load otherwise', async () => {
    const d = mlpDiscriminator({ hiddenUnits: [16, 8], inputShape: [12], dropout: 0.3, seed: 3 });
    const { handler, load } = capture();
    await d.save(handler);
    await expect(load()).rejects.toThrow(/Unknown layer: TfjsGenerativeSeededDropout/);
    d.dispose();
  });

  it('saves an MLP discriminator with SeededDropout as Dropout that loads and predicts identically', async () => {
    const d = mlpDiscriminator({ hiddenUnits: [16, 8], inputShape: [12], dropout: 0.3, seed: 3 });
    const { handler, load } = capture();
    await exportNetwork(d, handler);
    const loaded = await load();
    expect(classNames(d).filter((c) => c === 'TfjsGenerativeSeededDropout')).toHaveLength(2);
    expect(classNames(loaded)).toEqual(classNames(d).map((c) => (c === 'TfjsGenerativeSeededDropout' ? 'Dropout' : c)));
    expect(loaded.layers.map((l) => l.name)).toEqual(d.layers.map((l) => l.name));
    const dropouts = loaded.layers.filter((l) => l.getClassName() === 'Dropout');
    for (const layer of dropouts) {
      expect(layer.getConfig()['rate']).toBe(0.3);
      expect(layer.getConfig()['seed']).toBeUndefined();
    }
    expectSamePredictions(d, loaded, [12]);
    // The original is untouched: it still drops with its own seeded masks.
    expect(d.layers.filter((l) => l instanceof SeededDropout)).toHaveLength(2);
    d.dispose();
    loaded.dispose();
  });

  it('keeps every weight, batch-norm statistics included, for a network without SeededDropout', async () => {
    const g = mlpGenerator({ hiddenUnits: [8], latentDim: 4, outputShape: [6], batchNorm: true, seed: 5 });
    const { handler, load } = capture();
    await exportNetwork(g, handler);
    const loaded = await load();
    expect(loaded.getWeights().length).toBe(g.getWeights().length);
    expectSamePredictions(g, loaded, [4]);
    g.dispose();
    loaded.dispose();
  });

  it('handles functional and nested models, and a convolutional discriminator', async () => {
    const input = tfl.input({ shape: [6] });
    const hidden = tfl.layers.dense({ units: 5, activation: 'relu', name: 'f_dense' }).apply(input) as tfl.SymbolicTensor;
    const dropped = new SeededDropout({ rate: 0.5, seed: 1, name: 'f_drop' }).apply(hidden) as tfl.SymbolicTensor;
    const output = tfl.layers.dense({ units: 2, name: 'f_out' }).apply(dropped) as tfl.SymbolicTensor;
    const functional = tfl.model({ inputs: input, outputs: output });
    const nested = tfl.sequential({ layers: [functional, tfl.layers.dense({ units: 1, name: 'n_out' })] });
    const conv = dcganDiscriminator({ imageShape: [8, 8, 1], kernelSize: 3, filters: [2, 3], dropout: 0.4, seed: 2 });
    for (const [model, shape] of [
      [functional, [6]],
      [nested, [6]],
      [conv, [8, 8, 1]],
    ] as const) {
      const { handler, load } = capture();
      await exportNetwork(model, handler);
      const loaded = await load();
      expect(JSON.stringify(loaded.toJSON(null, false))).not.toMatch(/TfjsGenerativeSeededDropout/);
      expectSamePredictions(model, loaded, [...shape]);
      loaded.dispose();
    }
    nested.dispose();
    conv.dispose();
  });

  it('leaks no tensor', async () => {
    const d = mlpDiscriminator({ hiddenUnits: [8], inputShape: [4], dropout: 0.2, seed: 1 });
    await expectNoLeak(() => exportNetwork(d, capture().handler));
    d.dispose();
  });

  it('rejects a model that cannot save or a destination no handler takes with a ValueError', async () => {
    const d = mlpDiscriminator({ hiddenUnits: [4], inputShape: [2], seed: 1 });
    for (const [call, argument] of [
      [() => exportNetwork({} as never, capture().handler), 'model'],
      [() => exportNetwork(null as never, capture().handler), 'model'],
      [() => exportNetwork(d, 'nowhere://d'), 'destination'],
      [() => exportNetwork(d, { load: async () => ({}) }), 'destination'],
    ] as const) {
      const e = await rejected(call());
      expect(isValueError(e), String(e)).toBe(true);
      expect(e.argument).toBe(argument);
    }
    d.dispose();
  });
});
