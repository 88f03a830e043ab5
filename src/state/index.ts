/**
 * Saving and restoring state: {@link encodeState}/{@link decodeState} turn a state tree (what a model's `getState()`
 * returns, the Trainer's position, or any tree of numbers, strings and typed arrays) into one self-checking
 * `ArrayBuffer` and back.
 * @module
 */
export { encodeState, decodeState } from './codec';
export type { StateTree } from './tree';
export type { StateTypedArray } from './bytes';
