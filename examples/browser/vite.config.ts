/**
 * Vite config of the live training page: `npm run example:browser` serves it on 127.0.0.1; `vite build
 * examples/browser` writes the static site to out/browser/site (git-ignored), and `vite preview examples/browser`
 * serves that build.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { mnistAsset } from './mnist-asset.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));

// Cross-origin isolation gives the page SharedArrayBuffer, so tfjs-backend-wasm runs its multi-threaded SIMD build.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: here,
  base: './',
  resolve: {
    alias: [
      // The library from source, as the examples' tsconfig paths map it: no build needed.
      { find: /^tfjs-generative$/, replacement: `${repo}src/index.ts` },
      { find: /^tfjs-generative\/wasm$/, replacement: `${repo}src/wasm/index.ts` },
    ],
  },
  plugins: [mnistAsset()],
  server: { host: '127.0.0.1', headers: isolation, fs: { allow: [repo] } },
  preview: { host: '127.0.0.1', headers: isolation },
  worker: { format: 'es' },
  build: {
    outDir: `${repo}out/browser/site`,
    emptyOutDir: true,
    target: 'es2022',
    // The known trap: tfjs-backend-wasm starts each worker thread from `factory.toString()`, the wasm glue's source
    // text, evaluated alone in the thread. Minified, that text refers to names that exist only in the main bundle:
    // with mangling, "ReferenceError: e is not defined"; with mangling off, the compressor still drops the glue's
    // `typeof _scriptDir` guard ("_scriptDir is not defined"). Either way no thread starts and `tf.setBackend('wasm')`
    // never settles. So the build is not minified (2.7 MB of JS, 440 kB gzipped); tests/browser/page.test.ts trains
    // on wasm in this built page, threaded, to hold it to that.
    minify: false,
    chunkSizeWarningLimit: 8192, // tfjs is large, and unminified
  },
});
