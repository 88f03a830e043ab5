/**
 * A Vite plugin that serves the `mnist` package's digits to the page as one compact binary asset, built from the
 * package at dev-server start or build time, so nothing generated is committed and the page never parses 21 MB of
 * JSON. Node-side only (vite.config.ts imports it); the page reads the asset with ./digits.ts.
 *
 * Layout of `mnist-digits.bin`: `count · 784` pixel bytes (round(255·p), one digit after another, row-major), then
 * `count` label bytes. The digits come in the examples' fixed, class-interleaved order (see ../lib/mnist.ts).
 */
import type { Plugin } from 'vite';
import { MNIST_PIXELS, loadMnist } from '../lib/mnist.js';

/** File name of the asset, next to index.html. */
export const MNIST_ASSET = 'mnist-digits.bin';

function encode(count: number): Uint8Array {
  const { images, labels } = loadMnist({ count });
  const bytes = new Uint8Array(count * (MNIST_PIXELS + 1));
  for (let i = 0; i < images.length; i++) bytes[i] = Math.round(255 * images[i]!);
  bytes.set(labels, count * MNIST_PIXELS);
  return bytes;
}

/** Serves (dev) or emits (build) `mnist-digits.bin` with the first `count` digits. */
export function mnistAsset(count = 10_000): Plugin {
  let bytes: Uint8Array | undefined;
  const asset = (): Uint8Array => (bytes ??= encode(count));
  return {
    name: 'tfjs-generative:mnist-asset',
    configureServer(server) {
      server.middlewares.use(`/${MNIST_ASSET}`, (_req, res) => {
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(asset());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: MNIST_ASSET, source: asset() });
    },
  };
}
