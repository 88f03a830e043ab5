import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors';
import { stateFromArtifacts, stateToArtifacts } from './artifacts';
import { describe } from '../internal/describe';
import type { StateTree } from './tree';

/**
 * Where to save: a tfjs IO handler, or a URL a registered handler takes (`indexeddb://name`, `file://dir`).
 *
 * @example
 * ```ts
 * const kept: tf.io.ModelArtifacts[] = [];
 * const destination: SaveDestination = tf.io.withSaveHandler(async (artifacts) => {
 *   kept.push(artifacts); // or send them to a server
 *   return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
 * });
 * ```
 * @group Utilities
 */
export type SaveDestination = tf.io.IOHandler | string;

/**
 * Where to load from: a tfjs IO handler, or a URL a registered handler takes.
 *
 * @example
 * ```ts
 * const source: LoadSource = 'indexeddb://gan-checkpoint';
 * ```
 * @group Utilities
 */
export type LoadSource = tf.io.IOHandler | string;

const URL_HINT =
  'Pass an IO handler, or a URL whose scheme has a handler: indexeddb:// and localstorage:// in browsers, file:// ' +
  'once @tensorflow/tfjs-node is imported.';

/** The handler `destination` names, with a `save` method. */
export function saveHandlerFor(destination: SaveDestination, argument: string): tf.io.IOHandler {
  const handler = resolve(destination, argument, 'save');
  if (typeof handler.save !== 'function') {
    throw new ValueError(argument, 'an IO handler with a save method', 'a handler without one');
  }
  return handler;
}

function loadHandlerFor(source: LoadSource, argument: string): tf.io.IOHandler {
  const handler = resolve(source, argument, 'load');
  if (typeof handler.load !== 'function') {
    throw new ValueError(argument, 'an IO handler with a load method', 'a handler without one');
  }
  return handler;
}

function resolve(target: unknown, argument: string, use: 'save' | 'load'): tf.io.IOHandler {
  if (typeof target === 'string') {
    const handlers = use === 'save' ? tf.io.getSaveHandlers(target) : tf.io.getLoadHandlers(target);
    if (handlers.length !== 1) {
      const received = `${JSON.stringify(target)}, which ${handlers.length} handlers take`;
      throw new ValueError(argument, `a URL that exactly one ${use} handler takes`, received, URL_HINT);
    }
    return handlers[0]!;
  }
  if (target === null || typeof target !== 'object') {
    throw new ValueError(argument, 'a tfjs IO handler or a URL string', describe(target), URL_HINT);
  }
  return target as tf.io.IOHandler;
}

/**
 * Saves a state tree through a tfjs IO handler, as {@link stateToArtifacts} lays it out: one call instead of
 * `handler.save(stateToArtifacts(tree))`. Read it back with {@link loadState}.
 *
 * @param tree - a {@link StateTree}
 * @param destination - an IO handler, or a URL such as `indexeddb://gan-checkpoint` or (with tfjs-node) `file://ckpt`
 * @returns what the handler reports
 * @throws {@link StateError} for a tree it cannot represent, {@link ValueError} for a destination no handler takes;
 *   the handler's own errors (quota, permissions) pass through
 *
 * @example
 * ```ts
 * await saveState({ model: await gan.getState(), trainer: ctx.position }, 'indexeddb://gan-checkpoint');
 * ```
 * @group Utilities
 */
export async function saveState(tree: unknown, destination: SaveDestination): Promise<tf.io.SaveResult> {
  const handler = saveHandlerFor(destination, 'destination');
  return handler.save!(stateToArtifacts(tree));
}

/**
 * Loads a state tree that {@link saveState} (or `handler.save(stateToArtifacts(tree))`) stored, and checks it as
 * {@link stateFromArtifacts} does.
 *
 * Like {@link decodeState}, the result is typed `T` but not checked against it; a model's `setState` checks a state
 * it is given.
 *
 * @typeParam T - what you expect the tree to be, e.g. {@link GANState}; unchecked
 * @param source - an IO handler, or a URL such as `indexeddb://gan-checkpoint`
 * @returns the state tree
 * @throws {@link StateError} for a stored state that is corrupt, truncated or of another format, {@link ValueError}
 *   for a source no handler takes; the handler's own errors (nothing stored there) pass through
 *
 * @example
 * ```ts
 * const { model, trainer } = await loadState<{ model: GANState; trainer: TrainerPosition }>('indexeddb://gan-checkpoint');
 * gan.setState(model);
 * ```
 * @group Utilities
 */
export async function loadState<T = StateTree>(source: LoadSource): Promise<T> {
  const handler = loadHandlerFor(source, 'source');
  return stateFromArtifacts(await handler.load!()) as T;
}
