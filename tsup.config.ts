import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', wasm: 'src/wasm/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  treeshake: true,
  // tfjs packages are peers: bundling them would ship a second engine beside the caller's.
  external: [/^@tensorflow\//],
});
