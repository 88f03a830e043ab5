/**
 * Fuzz: the rest of the public surface — imageGrid, the backend probes and kernel checks, SeedStream, the error
 * guards, the state codec (binary, ModelArtifacts, IO handlers, exportNetwork) and the Trainer.
 *
 * Cases per CI run (FC_RUNS=1): imageGrid 150; probeBackend 15 and kernel checks 60; SeedStream 100; error guards 60
 * and StepError causes 30; state codec 200 (encode/decode 80, corrupted bytes 40, artifacts 40, handlers and
 * exportNetwork 40); Trainer 120 and trainingHistoryOf 30. 765 in all.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  GenerativeError,
  NonFiniteError,
  SeedStream,
  ShapeError,
  StateError,
  StepError,
  Trainer,
  ValueError,
  assertKernelsAvailable,
  decodeState,
  encodeState,
  exportNetwork,
  imageGrid,
  isConfigError,
  isGenerativeError,
  isNonFiniteError,
  isShapeError,
  isStateError,
  isStepError,
  isValueError,
  loadState,
  missingKernels,
  probeBackend,
  saveState,
  stateFromArtifacts,
  stateToArtifacts,
  trainingHistoryOf,
  trainingKernels,
  type GAN,
  type TrainerPosition,
} from '../../src';
import { TINY_DATA, tinyGan } from '../helpers/gan';
import { firstDifference, stateTree } from '../state/trees';
import {
  edgeNumber,
  fuzz,
  isPlain,
  junk,
  mutate,
  mutation,
  options,
  probe,
  realize,
  specValues,
  tensorSpec,
} from './arbitraries';
import { buildNetwork, networkSpec } from './parts';

/** Whether every weight of a network is live (tfjs-layers' read() throws on a disposed one). */
function isLive(network: tfl.LayersModel): boolean {
  try {
    return network.weights.every((w) => !w.read().isDisposed);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// imageGrid
// ---------------------------------------------------------------------------------------------------------------

describe('imageGrid', () => {
  it('tiles any batch or throws a typed error; finite images give a finite grid in [0, 1]', async () => {
    const small = (max: number) =>
      fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max }) }, { weight: 1, arbitrary: junk });
    // Image batches with the imageShape that fits them (4-D batches need none; flat ones need one).
    const geometry = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          { shape: [4, 2, 2, 1], imageShape: [2, 2, 1] },
          { shape: [1, 4, 4, 3], imageShape: [4, 4, 3] },
          { shape: [5, 3, 3, 1], imageShape: [3, 3] },
          { shape: [3, 6], imageShape: [2, 3] },
          { shape: [3, 6], imageShape: [1, 6, 1] },
          { shape: [2, 12], imageShape: [2, 2, 3] },
        ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          { shape: [2, 2, 2, 2], imageShape: [2, 2, 2] },
          { shape: [4, 2, 2], imageShape: [2, 2] },
          { shape: [0, 2, 2, 1], imageShape: [2, 2, 1] },
        ),
      },
    );
    const c = fc.record({
      geometry,
      images: tensorSpec({ disposedRate: 0.03 }),
      imageShape: fc.oneof(
        { weight: 8, arbitrary: fc.constant('fitting') },
        { weight: 2, arbitrary: fc.constant('none') },
        { weight: 1, arbitrary: fc.constantFrom<unknown>([2, 3], [2, 2, 3], [0, 2], [2, 2, 2]) },
        { weight: 1, arbitrary: junk },
      ),
      junkImages: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: junk }),
      options: options(
        {
          rows: small(5),
          cols: small(5),
          padding: fc.oneof(
            { weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }) },
            { weight: 1, arbitrary: fc.constant(-1) },
          ),
          padValue: fc.double({ min: 0, max: 1, noNaN: true }),
          range: fc.oneof(
            fc.constantFrom<unknown>([-1, 1], [0, 1], [0, 255], [-3e38, 3e38]),
            fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true })),
          ),
        },
        { junkRate: 0.06 },
      ),
    });
    await fuzz(
      401,
      150,
      fc.asyncProperty(c, async (k) => {
        const made: tf.Tensor[] = [];
        try {
          const spec = { ...k.images, shape: k.geometry.shape };
          const x = k.junkImages !== null ? k.junkImages : realize(spec, made);
          let o = k.options;
          if (isPlain(o) && k.imageShape !== 'none') {
            o = { ...o, imageShape: k.imageShape === 'fitting' ? k.geometry.imageShape : k.imageShape };
          }
          const out = await probe(() => imageGrid(x as tf.Tensor, o as never), {
            label: 'imageGrid',
            inputs: made,
            arguments: ['images', 'options'],
          });
          if (out.error !== undefined || k.junkImages !== null) return;
          if (spec.fill === 'nan' || spec.fill === 'inf' || spec.fill === 'ninf') return;
          const bad = out.values[0]!.findIndex((v) => !(v >= 0 && v <= 1));
          expect(bad, `grid value ${out.values[0]![bad]}`).toBe(-1);
        } finally {
          tf.dispose(made);
        }
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Backends
// ---------------------------------------------------------------------------------------------------------------

describe('probeBackend and the kernel checks', () => {
  it('probeBackend: a report or a typed error naming options, no leak, no tape left open', async () => {
    await fuzz(
      402,
      15,
      fc.asyncProperty(options({ secondDerivatives: fc.boolean() }, { junkRate: 0.3 }), async (o) => {
        const out = await probe(() => probeBackend(o as never), {
          label: 'probeBackend',
          arguments: ['options', 'backend'],
        });
        if (out.error === undefined) expect((out.result as { backend: string }).backend).toBe('cpu');
      }),
    );
  });

  it('trainingKernels, missingKernels, assertKernelsAvailable: answers for a network, else typed errors', async () => {
    const c = fc.record({
      fn: fc.constantFrom('trainingKernels', 'missingKernels', 'assertKernelsAvailable'),
      model: fc.oneof({ weight: 4, arbitrary: networkSpec }, { weight: 1, arbitrary: junk }),
      second: fc.oneof(fc.constantFrom<unknown>('cpu', 'wasm', 'nope', 'networks.generator', undefined), junk),
    });
    await fuzz(
      403,
      60,
      fc.asyncProperty(c, async ({ fn, model, second }) => {
        let network: tfl.LayersModel | undefined;
        try {
          const m =
            (typeof model === 'string' && model.includes('-')) ||
            ['generator', 'discriminator', 'encoder', 'decoder'].includes(model as string)
              ? (network = buildNetwork(model as never, 1))
              : model;
          const call = () =>
            fn === 'trainingKernels'
              ? trainingKernels(m as never)
              : fn === 'missingKernels'
              ? missingKernels(m as never, second as never)
              : assertKernelsAvailable(m as never, second as never);
          const out = await probe(call, {
            label: fn,
            // assertKernelsAvailable names the network by the caller's own `argument`, whatever it is (F15).
            arguments: ['model', 'backend', 'argument', typeof second === 'string' && second !== '' ? second : 'model'],
            accept: (e) => fn === 'assertKernelsAvailable' && isGenerativeError(e) && e.argument === second,
          });
          if (out.error === undefined && network !== undefined && isLive(network)) {
            if (fn === 'trainingKernels') expect((out.result as { unknownLayers: string[] }).unknownLayers).toEqual([]);
            if (fn === 'missingKernels' && second === 'cpu') expect(out.result).toEqual([]);
          }
        } finally {
          try {
            network?.dispose();
          } catch {
            // a disposed-* spec
          }
        }
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// SeedStream and the error guards
// ---------------------------------------------------------------------------------------------------------------

describe('SeedStream', () => {
  it('takes safe-integer seeds and draw counts, refuses anything else typed, and resumes exactly', async () => {
    const c = fc.record({
      seed: fc.oneof(
        { weight: 4, arbitrary: fc.maxSafeInteger() },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: junk },
      ),
      draws: fc.oneof(
        { weight: 4, arbitrary: fc.nat(20) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: junk },
      ),
      label: fc.oneof({ weight: 4, arbitrary: fc.maxSafeInteger() }, { weight: 1, arbitrary: junk }),
    });
    await fuzz(
      404,
      100,
      fc.asyncProperty(c, async ({ seed, draws, label }) => {
        const out = await probe(() => new SeedStream(seed as never, draws as never), {
          label: 'new SeedStream',
          arguments: ['seed', 'draws'],
        });
        if (out.error !== undefined) return;
        const stream = out.result as SeedStream;
        const first = stream.next();
        expect(Number.isInteger(first) && first >= 1 && first < 2 ** 32, `draw ${first}`).toBe(true);
        // Replayed draw by draw, so only for short streams (a valid draw count may be 2^53 − 1).
        if (typeof seed === 'number' && ((draws as number | undefined) ?? 0) <= 1000) {
          const replay = new SeedStream(seed);
          for (let i = 0; i < ((draws as number | undefined) ?? 0); i++) replay.next();
          expect(replay.next(), 'a stream resumed from (seed, draws) continues the original').toBe(first);
        }
        await probe(() => stream.fork(label as never).next(), { label: 'SeedStream.fork', arguments: ['label'] });
      }),
    );
  });
});

describe('error guards', () => {
  const ERRORS = [
    () => new ShapeError('x', 'a', 'b'),
    () => new ValueError('x', 'a', 'b'),
    () => new ConfigError('x', 'a', 'b', 'hint'),
    () => new StateError('state.x', 'a', 'b'),
    () => new NonFiniteError('update: loss', 3, true),
    () => new StepError('update', new Error('cause')),
  ];
  const GUARDS = [isShapeError, isValueError, isConfigError, isStateError, isNonFiniteError, isStepError];

  it('answer a boolean for any value, never throw, and agree with each other', async () => {
    const value = fc.oneof(
      { weight: 2, arbitrary: junk },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: ERRORS.length - 1 }).map((i) => ERRORS[i]!()) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constantFrom('shape', 'value', 'config', 'state', 'x'),
          argument: fc.oneof(fc.string(), junk),
        }),
      },
    );
    await fuzz(
      405,
      60,
      fc.asyncProperty(value, async (v) => {
        const answers = GUARDS.map((g) => g(v));
        expect(answers.every((a) => typeof a === 'boolean')).toBe(true);
        expect(isGenerativeError(v)).toBe(answers.some(Boolean));
        expect(answers.filter(Boolean).length).toBeLessThanOrEqual(1);
        if (v instanceof GenerativeError) expect(isGenerativeError(v)).toBe(true);
      }),
    );
  });

  it('StepError keeps any cause a user loss may throw', async () => {
    await fuzz(
      406,
      30,
      fc.asyncProperty(junk, async (cause) => {
        await probe(() => new StepError('update', cause), { label: 'new StepError', arguments: [] });
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// State codec
// ---------------------------------------------------------------------------------------------------------------

/** A save/load handler that keeps artifacts in memory, optionally corrupting them on load. */
function memoryHandler(
  corrupt?: (a: tf.io.ModelArtifacts) => unknown,
): tf.io.IOHandler & { saved?: tf.io.ModelArtifacts } {
  const handler: tf.io.IOHandler & { saved?: tf.io.ModelArtifacts } = {
    save: async (artifacts) => {
      handler.saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    },
    load: async () => (corrupt === undefined ? handler.saved! : (corrupt(handler.saved!) as tf.io.ModelArtifacts)),
  };
  return handler;
}

/** A tree that may hold values a state cannot: junk leaves, tensors, class instances. */
const anyTree = fc.oneof(
  { weight: 4, arbitrary: stateTree },
  { weight: 1, arbitrary: junk },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(stateTree, junk), { maxKeys: 3 }) },
);

describe('state codec', () => {
  it('encodeState: bytes that decode to the same tree, or a StateError naming the path', async () => {
    await fuzz(
      407,
      80,
      fc.asyncProperty(anyTree, async (tree) => {
        const out = await probe(() => encodeState(tree), { label: 'encodeState', arguments: ['state'] });
        if (out.error !== undefined) {
          expect(isStateError(out.error), String(out.error)).toBe(true);
          return;
        }
        const back = await probe(() => decodeState(out.result as ArrayBuffer), { label: 'decodeState', arguments: [] });
        expect(firstDifference(tree, back.result)).toBeUndefined();
      }),
    );
  });

  it('decodeState: corrupted, truncated or extended bytes are a StateError, never a wrong tree', async () => {
    const c = fc.record({
      tree: stateTree,
      how: fc.constantFrom('flip', 'truncate', 'extend', 'junk', 'uint8-view'),
      at: fc.noBias(fc.nat(100_000)),
      bits: fc.integer({ min: 1, max: 255 }),
      junkValue: junk,
    });
    await fuzz(
      408,
      40,
      fc.asyncProperty(c, async ({ tree, how, at, bits, junkValue }) => {
        const bytes = new Uint8Array(encodeState(tree));
        let input: unknown;
        if (how === 'flip') {
          const copy = bytes.slice();
          copy[at % copy.length]! ^= bits;
          input = copy.buffer;
        } else if (how === 'truncate') input = bytes.slice(0, at % bytes.length).buffer;
        else if (how === 'extend') input = new Uint8Array([...bytes, bits]).buffer;
        else if (how === 'uint8-view') input = new Uint8Array(bytes.buffer, 0, bytes.length);
        else input = junkValue;
        const out = await probe(() => decodeState(input as never), {
          label: 'decodeState',
          arguments: ['buffer', 'state'],
        });
        if (how === 'uint8-view') expect(firstDifference(tree, out.result)).toBeUndefined();
        else if (how !== 'junk') expect(isStateError(out.error), `decoded ${how}ed bytes without an error`).toBe(true);
      }),
    );
  });

  it('stateFromArtifacts: any change to the artifacts is a StateError or the same tree', async () => {
    const c = fc.record({ tree: stateTree, mutations: fc.array(mutation, { minLength: 1, maxLength: 2 }) });
    await fuzz(
      409,
      40,
      fc.asyncProperty(c, async ({ tree, mutations }) => {
        const artifacts = stateToArtifacts(tree);
        const changed = mutate(artifacts, mutations);
        const out = await probe(() => stateFromArtifacts(changed as never), {
          label: 'stateFromArtifacts',
          arguments: ['artifacts', 'state'],
        });
        if (out.error !== undefined) expect(isStateError(out.error), String(out.error)).toBe(true);
      }),
    );
  });

  it('saveState, loadState and exportNetwork: typed errors for bad destinations, sources and models', async () => {
    const c = fc.record({
      fn: fc.constantFrom('saveState', 'loadState', 'exportNetwork'),
      tree: anyTree,
      target: fc.oneof(
        { weight: 3, arbitrary: fc.constant('memory') },
        { weight: 1, arbitrary: fc.constantFrom('nope://x', 'indexeddb://x', 'localstorage://x', 'file://x', '') },
        { weight: 1, arbitrary: junk },
        { weight: 1, arbitrary: fc.constant({}) },
      ),
      model: fc.oneof({ weight: 3, arbitrary: networkSpec }, { weight: 1, arbitrary: junk }),
      mutations: fc.array(mutation, { maxLength: 2 }),
    });
    await fuzz(
      410,
      40,
      fc.asyncProperty(c, async ({ fn, tree, target, model, mutations }) => {
        const handler = target === 'memory' ? memoryHandler((a) => mutate(a, mutations)) : target;
        let network: tfl.LayersModel | undefined;
        try {
          if (fn === 'saveState') {
            await probe(() => saveState(tree, handler as never), { label: fn, arguments: ['destination', 'state'] });
          } else if (fn === 'loadState') {
            if (target === 'memory')
              (handler as ReturnType<typeof memoryHandler>).saved = stateToArtifacts({
                a: new Float32Array([1, 2]),
                b: 'x',
              });
            const out = await probe(() => loadState(handler as never), {
              label: fn,
              arguments: ['source', 'artifacts', 'state'],
            });
            if (out.error !== undefined && target === 'memory') expect(isStateError(out.error)).toBe(true);
          } else {
            const m =
              typeof model === 'string' && /^(disposed-)?(generator|discriminator|encoder|decoder)/.test(model)
                ? (network = buildNetwork(model as never, 2))
                : model;
            const before =
              network !== undefined && isLive(network)
                ? await Promise.all(network.weights.map((w) => w.read().data()))
                : undefined;
            await probe(() => exportNetwork(m as never, handler as never), {
              label: fn,
              arguments: ['model', 'destination'],
            });
            if (before !== undefined) {
              const after = await Promise.all(network!.weights.map((w) => w.read().data()));
              after.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(before[i]!)));
            }
          }
        } finally {
          try {
            network?.dispose();
          } catch {
            // a disposed-* spec
          }
        }
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Trainer
// ---------------------------------------------------------------------------------------------------------------

/** Thrown by the fake model once a run is longer than a test should be. */
class Budget extends Error {
  override name = 'Budget';
}

/** A Trainable that records its batches' shapes, answers with `logs`, and stops the run after 40 steps. */
function fakeModel(logs: unknown) {
  const seen: number[][] = [];
  return {
    seen,
    trainStep(batch: unknown) {
      if (seen.length >= 40) throw new Budget('step budget');
      seen.push(batch instanceof tf.Tensor ? [...batch.shape] : []);
      return logs as Record<string, number>;
    },
  };
}

/**
 * The shared GAN behind a 40-step budget: `steps` or `epochs` may be any valid count (2^53 − 1 included), and the
 * Trainer would rightly train that long.
 */
function budgeted(gan: GAN) {
  let steps = 0;
  return {
    trainStep(batch: tf.Tensor) {
      if (++steps > 40) throw new Budget('step budget');
      return gan.trainStep(batch);
    },
  };
}

describe('Trainer', () => {
  let gan: GAN;
  let position: TrainerPosition;
  beforeAll(async () => {
    gan = tinyGan({ seed: 31 });
    const x = tf.tensor(specValues({ shape: [6, TINY_DATA], fill: 'symmetric', seed: 1 }), [6, TINY_DATA]);
    const history = await new Trainer(gan).fit(x, { batchSize: 4, steps: 3, seed: 5 });
    position = history.position;
    x.dispose();
  });
  afterAll(() => gan.dispose());

  it('trains or refuses with a typed error naming the option; the data is untouched and no batch leaks', async () => {
    const small = (max: number) =>
      fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max }) }, { weight: 1, arbitrary: junk });
    const callbacks = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom<unknown>(
          {},
          { onStepEnd: () => undefined },
          [{}, { onEpochEnd: () => undefined }],
          'stop-at-2',
        ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom<unknown>({ onStepEnd: 'no' }, { onStepBegin: () => undefined, extra: 1 }),
      },
      { weight: 1, arbitrary: junk },
    );
    const c = fc.record({
      model: fc.constantFrom('fake', 'fake', 'fake', 'fake', 'fake-bad-logs', 'gan', 'gan', 'junk'),
      junkModel: junk,
      data: fc.oneof(
        {
          weight: 6,
          arbitrary: tensorSpec({
            shapes: [
              [6, TINY_DATA],
              [1, TINY_DATA],
              [5, TINY_DATA + 1],
            ],
            fills: ['symmetric', 'unit'],
            disposedRate: 0.03,
          }),
        },
        { weight: 1, arbitrary: fc.constant('array-of-batches') },
        { weight: 1, arbitrary: junk },
      ),
      trainerOptions: options(
        {
          callbacks,
          yieldEvery: fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom<unknown>('auto', 'never', 0, 1) },
            { weight: 1, arbitrary: edgeNumber },
          ),
        },
        { junkRate: 0.05 },
      ),
      fitOptions: options(
        {
          batchSize: small(8),
          epochs: small(3),
          steps: small(6),
          shuffle: fc.boolean(),
          seed: fc.integer(),
          dropRemainder: fc.boolean(),
          signal: fc.oneof(
            { weight: 6, arbitrary: fc.constant<unknown>(new AbortController().signal) },
            { weight: 1, arbitrary: fc.constantFrom<unknown>(AbortSignal.abort(), { aborted: 1 }) },
          ),
          callbacks,
          yieldEvery: fc.constantFrom<unknown>('auto', 'never', 0),
          resumeFrom: fc.oneof(
            { weight: 8, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fc.constant('position') },
            { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }).map((m) => ({ mutations: m })) },
          ),
        },
        { junkRate: 0.03 },
      ),
    });
    await fuzz(
      411,
      120,
      fc.asyncProperty(c, async (k) => {
        const made: tf.Tensor[] = [];
        try {
          const model =
            k.model === 'gan'
              ? budgeted(gan)
              : k.model === 'junk'
              ? k.junkModel
              : fakeModel(k.model === 'fake' ? { loss: 1 } : { loss: 'x' });
          const withStop = (cb: unknown) =>
            cb === 'stop-at-2'
              ? { onStepEnd: (s: number, _l: unknown, ctx: { stop(): void }) => s >= 2 && ctx.stop() }
              : cb;
          const trainerOptions = fixCallbacks(k.trainerOptions, withStop);
          const fitOptions = fixCallbacks(k.fitOptions, withStop);
          if (typeof fitOptions === 'object' && fitOptions !== null) {
            const r = (fitOptions as Record<string, unknown>)['resumeFrom'];
            if (r === 'position') (fitOptions as Record<string, unknown>)['resumeFrom'] = position;
            else if (typeof r === 'object' && r !== null && 'mutations' in r) {
              (fitOptions as Record<string, unknown>)['resumeFrom'] = mutate(
                position,
                (r as { mutations: never }).mutations,
              );
            }
          }
          const data =
            k.data === 'array-of-batches'
              ? [0, 1, 2].map(() => {
                  const t = tf.tensor(specValues({ shape: [2, TINY_DATA], fill: 'symmetric', seed: 3 }), [
                    2,
                    TINY_DATA,
                  ]);
                  made.push(t);
                  return t;
                })
              : realize(k.data, made);
          const trainer = await probe(() => new Trainer(model as never, trainerOptions as never), {
            label: 'new Trainer',
            arguments: ['model', 'options'],
          });
          if (trainer.error !== undefined) return;
          const out = await probe(
            () =>
              (trainer.result as Trainer).fit(
                data as never,
                (isPlain(fitOptions) ? Object.freeze(fitOptions) : fitOptions) as never,
              ),
            {
              label: `Trainer.fit (${k.model})`,
              inputs: made,
              arguments: [
                'data',
                'options',
                'model',
                'trainStep result',
                'realBatch',
                'networks',
                'discriminator update',
                'generator update',
                'weight',
                'optimizer slot',
              ],
              accept: (e) => e instanceof Budget || (e instanceof Error && e.name === 'AbortError'),
            },
          );
          if (out.error === undefined) {
            const history = out.result as { steps: unknown[]; position: TrainerPosition };
            expect(history.position.step).toBeGreaterThanOrEqual(history.steps.length);
          } else if (isGenerativeError(out.error)) {
            // A failed fit carries the history of the steps it ran (possibly none).
            expect(
              trainingHistoryOf(out.error) === undefined || Array.isArray(trainingHistoryOf(out.error)!.steps),
            ).toBe(true);
          }
        } finally {
          tf.dispose(made);
        }
      }),
    );
  });

  it('trainingHistoryOf answers for any value without throwing', async () => {
    await fuzz(
      412,
      30,
      fc.asyncProperty(fc.oneof(junk, fc.record({ history: junk })), async (v) => {
        await probe(() => trainingHistoryOf(v), { label: 'trainingHistoryOf', arguments: [] });
      }),
    );
  });
});

/** Replaces the 'stop-at-2' marker in an options object's callbacks with a callback that stops the run. */
function fixCallbacks(o: unknown, withStop: (cb: unknown) => unknown): unknown {
  if (!isPlain(o)) return o;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[key];
    Object.defineProperty(out, key, {
      value: key === 'callbacks' ? withStop(v) : v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
