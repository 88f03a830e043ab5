import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { SeededDropout } from '../architectures/seeded-dropout';
import { StateError } from '../errors';
import type { Counter } from './rollback';
import { describe } from './shapes';
import { restoreTensor, tensorState, type TensorState } from './tensor-state';

/**
 * A network's saved state: every weight (trainable or not) in `model.weights` order, and its dropout layers' masks.
 *
 * @example
 * ```ts
 * const { weights, dropout }: NetworkState = (await gan.getState()).generator;
 * console.log(weights.map((w) => w.shape)); // one entry per weight, in model.weights order
 * ```
 * @group Models
 */
export interface NetworkState {
  /** Every weight, in `model.weights` order. */
  readonly weights: readonly TensorState[];
  /** One `[seed, draws]` pair per {@link SeededDropout} layer, in layer order. */
  readonly dropout: readonly (readonly [number, number])[];
}

/** The variables and stateful layers of a network, gathered once: tfjs-layers keeps the same objects for its life. */
export class NetworkParts {
  /** Every weight variable, trainable or not: a training-mode forward pass writes batch-norm statistics too. */
  readonly variables: tf.Variable[];
  private readonly dropout: SeededDropout[];

  constructor(readonly model: tfl.LayersModel) {
    this.variables = model.weights.map((w) => w.read() as tf.Variable);
    this.dropout = seededDropoutLayers(model);
  }

  /** Whether any weight was disposed behind the owner's back. */
  get disposed(): boolean {
    return this.variables.some((v) => v.isDisposed);
  }

  /** The dropout layers' mask counters, rolled back with a failed step. */
  get counters(): Counter[] {
    return this.dropout.map((layer) => ({
      get: () => layer.draws,
      set: (value: number) => {
        layer.draws = value;
      },
    }));
  }

  async read(): Promise<NetworkState> {
    const weights: TensorState[] = [];
    for (const v of this.variables) weights.push(await tensorState(v));
    return { weights, dropout: this.dropout.map((layer) => [layer.seed, layer.draws] as const) };
  }

  /** Checks `state` against this network without changing anything, and returns the write that applies it. */
  prepare(state: unknown, path: string): () => void {
    const s = state as Partial<NetworkState> | null;
    if (typeof s !== 'object' || s === null || !Array.isArray(s.weights) || !Array.isArray(s.dropout)) {
      throw new StateError(path, 'a saved network { weights, dropout }', describe(state));
    }
    if (s.weights.length !== this.variables.length) {
      const expected = `${this.variables.length} weights (this network's)`;
      throw new StateError(
        `${path}.weights`,
        expected,
        String(s.weights.length),
        'Restore into a model built like the saved one.',
      );
    }
    if (s.dropout.length !== this.dropout.length) {
      throw new StateError(`${path}.dropout`, `${this.dropout.length} dropout layers`, String(s.dropout.length));
    }
    const writes = this.variables.map((v, i) => restoreTensor(v, s.weights![i], `${path}.weights[${i}]`));
    s.dropout.forEach((pair, i) => {
      const ok = Array.isArray(pair) && pair.length === 2 && pair.every((n) => Number.isSafeInteger(n) && n >= 0);
      if (!ok) throw new StateError(`${path}.dropout[${i}]`, '[seed, draws], integers >= 0', describe(pair));
    });
    return () => {
      for (const write of writes) write();
      this.dropout.forEach((layer, i) => {
        [layer.seed, layer.draws] = s.dropout![i]!;
      });
    };
  }
}

function seededDropoutLayers(model: tfl.LayersModel): SeededDropout[] {
  const found: SeededDropout[] = [];
  const visit = (layer: tfl.layers.Layer): void => {
    if (layer instanceof SeededDropout) found.push(layer);
    const inner = (layer as Partial<tfl.LayersModel>).layers;
    if (Array.isArray(inner)) inner.forEach(visit);
  };
  model.layers.forEach(visit);
  return found;
}
