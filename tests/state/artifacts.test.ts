import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStateError, isValueError } from '../../src/errors';
import { loadState, saveState, stateFromArtifacts, stateToArtifacts } from '../../src/state';
import { caught, rejected } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';
import { fcOptions, firstDifference, sampleState, stateTree } from './trees';

const info = (): tf.io.SaveResult => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });

/** A handler that keeps the artifacts as given, like tf.io.withSaveHandler + tf.io.fromMemory. */
function memoryHandler(): tf.io.IOHandler {
  let saved: tf.io.ModelArtifacts | undefined;
  return {
    save: async (artifacts) => {
      saved = artifacts;
      return info();
    },
    load: async () => tf.io.fromMemory(saved!).load!(),
  };
}

/**
 * A handler that stores what tfjs-node's file:// handler writes: model.json (topology and weights manifest, as JSON
 * text) and weights.bin (bytes), loaded back through tf.io.getModelArtifactsForJSON as the file and http handlers do.
 */
function jsonFileHandler(shards = 1): tf.io.IOHandler & { files: Map<string, string | Uint8Array> } {
  const files = new Map<string, string | Uint8Array>();
  return {
    files,
    save: async (artifacts) => {
      const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!));
      const cut = Math.floor(data.length / shards);
      const paths = Array.from({ length: shards }, (_, i) => `weights${i}.bin`);
      paths.forEach((p, i) => files.set(p, data.slice(i * cut, i === shards - 1 ? data.length : (i + 1) * cut)));
      const modelJSON: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as {},
        weightsManifest: [{ paths, weights: artifacts.weightSpecs! }],
        format: artifacts.format!,
        generatedBy: artifacts.generatedBy!,
        convertedBy: artifacts.convertedBy!,
      };
      files.set('model.json', JSON.stringify(modelJSON));
      return info();
    },
    load: async () => {
      const modelJSON = JSON.parse(files.get('model.json') as string) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => [
        manifest.flatMap((group) => group.weights),
        manifest.flatMap((group) => group.paths.map((p) => (files.get(p) as Uint8Array).slice().buffer)),
      ]);
    },
  };
}

function stateErrorOf(fn: () => unknown) {
  const e = caught(fn);
  expect(isStateError(e), String(e)).toBe(true);
  return e;
}

describe('stateToArtifacts / stateFromArtifacts', () => {
  it('round-trip a state exactly, in memory and through a file-like handler (JSON text, sharded bytes)', async () => {
    for (const handler of [memoryHandler(), jsonFileHandler(), jsonFileHandler(3)]) {
      await handler.save!(stateToArtifacts(sampleState()));
      expect(firstDifference(sampleState(), stateFromArtifacts(await handler.load!()))).toBeUndefined();
    }
  });

  it('lay the typed arrays out as tfjs weights, named by their path', () => {
    const artifacts = stateToArtifacts(sampleState());
    expect(artifacts.format).toBe('tfjs-generative/state');
    expect(artifacts.weightSpecs).toEqual([
      { name: 'state.weights[0].values', shape: [6], dtype: 'float32' },
      { name: 'state.weights[1].values', shape: [3], dtype: 'int32' },
      { name: 'state.mask', shape: [3], dtype: 'int32', quantization: { dtype: 'uint8', scale: 1, min: 0 } },
      { name: 'state.seeds', shape: [3, 2], dtype: 'float32' },
    ]);
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(24 + 12 + 3 + 24);
    // tfjs itself reads them as weights: the float32, int32 and uint8 ones as their values.
    const tensors = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
    expect(Array.from(tensors['state.weights[1].values']!.dataSync())).toEqual([-1, 2 ** 31 - 1, -(2 ** 31)]);
    expect(Array.from(tensors['state.mask']!.dataSync())).toEqual([0, 255, 7]);
    expect(tensors['state.seeds']!.shape).toEqual([3, 2]);
    Object.values(tensors).forEach((t) => t.dispose());
  });

  it('hold for random trees through the file-like handler (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(stateTree, async (tree) => {
        const handler = jsonFileHandler();
        await saveState(tree, handler);
        const difference = firstDifference(tree, await loadState(handler));
        if (difference !== undefined) throw new Error(difference);
      }),
      fcOptions(200),
    );
  });

  it('accept a state without typed arrays, and weight data split into several buffers', () => {
    expect(stateFromArtifacts(stateToArtifacts({ step: -0 }))).toEqual({ step: -0 });
    const artifacts = stateToArtifacts(sampleState());
    const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const split = [data.slice(0, 5).buffer, data.slice(5, 5).buffer, data.slice(5).buffer];
    expect(firstDifference(sampleState(), stateFromArtifacts({ ...artifacts, weightData: split }))).toBeUndefined();
  });

  it('reject what encodeState rejects, naming the path', () => {
    expect(stateErrorOf(() => stateToArtifacts({ a: [new Map()] })).argument).toBe('state.a[0]');
  });

  it('do not create tensors', async () => {
    await expectNoLeak(() => stateFromArtifacts(stateToArtifacts(sampleState())));
  });
});

describe('stateFromArtifacts rejects, with a StateError', () => {
  const good = () => stateToArtifacts(sampleState());
  const topology = () => good().modelTopology as Record<string, unknown>;

  const cases: [string, () => unknown, string, RegExp][] = [
    ['no artifacts', () => null, 'artifacts', /ModelArtifacts/],
    ['a network’s artifacts', () => ({ modelTopology: { class_name: 'Sequential', config: {} } }), 'artifacts.modelTopology', /topology of a tfjs network.*loadLayersModel/],
    ['a binary topology', () => ({ modelTopology: new ArrayBuffer(8) }), 'artifacts.modelTopology', /format/],
    ['no topology', () => ({ weightSpecs: [] }), 'artifacts.modelTopology', /format undefined/],
    ['a newer format version', () => ({ ...good(), modelTopology: { ...topology(), formatVersion: 2 } }), 'artifacts.modelTopology.formatVersion', /received 2.*newer/],
    ['an unknown topology key', () => ({ ...good(), modelTopology: { ...topology(), extra: 1 } }), 'artifacts.modelTopology', /unknown key "extra"/],
    ['a missing checksum', () => ({ ...good(), modelTopology: { ...topology(), weightDataCrc32: undefined } }), 'artifacts.modelTopology', /CRC-32/],
    ['specs that are not an array', () => ({ ...good(), weightSpecs: {} }), 'artifacts.weightSpecs', /array/],
    ['a spec of another dtype', () => { const a = good(); a.weightSpecs![0] = { ...a.weightSpecs![0]!, dtype: 'bool' }; return a; }, 'artifacts.weightSpecs[0]', /float32 or int32/],
    ['a spec of another shape', () => { const a = good(); a.weightSpecs![1] = { ...a.weightSpecs![1]!, shape: [1, 3] }; return a; }, 'state.weights[1].values', /describes a Int32Array/],
    ['a spec of another size', () => { const a = good(); a.weightSpecs![1] = { ...a.weightSpecs![1]!, shape: [4] }; return a; }, 'artifacts.weightData', /12 bytes of weight specs|bytes of weight specs/],
    ['a uint8 spec read as int32', () => { const a = good(); a.weightSpecs![2] = { name: 'x', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }; return a; }, 'state.mask', /describes a Uint8Array/],
    ['weight data that is not bytes', () => ({ ...good(), weightData: 'AAAA' }), 'artifacts.weightData', /ArrayBuffer/],
    ['truncated weight data', () => { const a = good(); return { ...a, weightData: (a.weightData as ArrayBuffer).slice(0, 60) }; }, 'artifacts.weightData', /63 bytes, as the topology says, received 60 bytes/],
    ['missing weight data', () => ({ ...good(), weightData: undefined }), 'artifacts.weightData', /received 0 bytes/],
  ];
  it.each(cases)('%s', (_, make, argument, message) => {
    const e = stateErrorOf(() => stateFromArtifacts(make() as tf.io.ModelArtifacts));
    expect(e.argument).toBe(argument);
    expect(e.message).toMatch(message);
  });

  it('a reference to a missing weight', () => {
    const a = good();
    const t = JSON.parse(JSON.stringify(a.modelTopology)) as { tree: { mask: { weight: unknown } } };
    for (const weight of [9, -1, '2', 1.5]) {
      t.tree.mask.weight = weight;
      const e = stateErrorOf(() => stateFromArtifacts({ ...a, modelTopology: t }));
      expect(e.argument).toBe('state.mask');
      expect(e.message).toMatch(/weight .* of 4/);
    }
  });

  it('every changed byte of the weight data, leaving the artifacts as they were', () => {
    const artifacts = good();
    const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
    for (let i = 0; i < data.length; i++) {
      const corrupt = data.slice();
      corrupt[i]! ^= 0x10;
      const e = stateErrorOf(() => stateFromArtifacts({ ...artifacts, weightData: corrupt.buffer }));
      expect(e.message).toMatch(/CRC-32.*corrupt/);
      expect(corrupt[i]).toBe(data[i]! ^ 0x10);
    }
  });
});

describe('saveState / loadState', () => {
  it('take a handler or a URL, and pass the handler’s result and errors through', async () => {
    const handler = memoryHandler();
    expect((await saveState({ a: 1 }, handler)).modelArtifactsInfo.modelTopologyType).toBe('JSON');
    expect(await loadState(handler)).toEqual({ a: 1 });
    const failing = { save: async () => Promise.reject(new Error('quota exceeded')) };
    await expect(saveState({ a: 1 }, failing)).rejects.toThrow('quota exceeded');
  });

  it('reject a destination or source no handler takes with a ValueError', async () => {
    for (const [call, argument] of [
      [() => saveState({}, 'nowhere://x'), 'destination'],
      [() => saveState({}, {}), 'destination'],
      [() => saveState({}, 42 as never), 'destination'],
      [() => loadState('nowhere://x'), 'source'],
      [() => loadState({ save: async () => info() }), 'source'],
    ] as const) {
      const e = await rejected(call());
      expect(isValueError(e), String(e)).toBe(true);
      expect(e.argument).toBe(argument);
    }
  });

  it('reject a tree it cannot store before calling the handler', async () => {
    let called = false;
    const handler = { save: async () => ((called = true), info()) };
    const e = await rejected(saveState({ f: () => 0 }, handler));
    expect(isStateError(e)).toBe(true);
    expect(called).toBe(false);
  });
});
