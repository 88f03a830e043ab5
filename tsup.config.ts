import { defineConfig, type Options } from 'tsup';

const entry = { index: 'src/index.ts', wasm: 'src/wasm/index.ts' };

const shared: Options = {
  // TSUP_DTS=0 skips the declaration build (two thirds of the time) for tests that only run the JavaScript.
  dts: process.env['TSUP_DTS'] === '0' ? false : { entry },
  sourcemap: true,
  clean: false, // package.json's build script empties dist/ once, before both builds run side by side
  target: 'es2020',
  treeshake: true,
  // tfjs packages are peers: bundling them would ship a second engine beside the caller's.
  external: [/^@tensorflow\//],
};

export default defineConfig([
  {
    ...shared,
    format: 'esm',
    // Not exports: these entries split the ESM build into chunks, so that an app importing only the losses or metrics
    // never loads the chunk that imports tfjs-layers (which declares no `sideEffects`: a bundler keeps all of it
    // wherever it is imported).
    entry: { ...entry, 'internal/losses': 'src/losses/index.ts', 'internal/metrics': 'src/metrics/index.ts' },
  },
  { ...shared, format: 'cjs', entry },
]);
