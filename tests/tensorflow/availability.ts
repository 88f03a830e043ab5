/**
 * Whether tfjs-node is installed, found without loading it (or anything else: the global setup imports this module in
 * vitest's main process, where a broken source file elsewhere must not turn into a missing tier).
 */

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The package that registers the `tensorflow` backend (tfjs-node-gpu registers the same name). */
export const TFJS_NODE = '@tensorflow/tfjs-node';

/** How to get it, at the version of this project's tfjs-core. */
export const INSTALL_HINT = `npm install --no-save ${TFJS_NODE}@${
  (require('@tensorflow/tfjs-core/package.json') as { version: string }).version
}`;

/**
 * Why the tier cannot run here, or `null` when tfjs-node can be resolved. A package that resolves but fails to load (an
 * addon that was never built) fails the tier instead of skipping it.
 */
export function tfjsNodeMissing(): string | null {
  try {
    require.resolve(TFJS_NODE);
    return null;
  } catch {
    return `${TFJS_NODE} is not installed; to run this tier: ${INSTALL_HINT}`;
  }
}
