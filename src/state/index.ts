/**
 * Saving and restoring state: {@link encodeState}/{@link decodeState} turn a state tree (what a model's `getState()`
 * returns, the Trainer's position, or any tree of numbers, strings and typed arrays) into one self-checking
 * `ArrayBuffer` and back; {@link stateToArtifacts}/{@link stateFromArtifacts}, {@link saveState} and
 * {@link loadState} do the same through any tfjs IO handler; {@link exportNetwork} saves a network that plain
 * tfjs-layers loads.
 * @module
 */
export { encodeState, decodeState } from './codec';
export { stateToArtifacts, stateFromArtifacts } from './artifacts';
export { saveState, loadState } from './handlers';
export type { LoadSource, SaveDestination } from './handlers';
export { exportNetwork } from './network';
export type { StateTree } from './tree';
export type { StateTypedArray } from './bytes';
