import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Three tiers: `unit` (everything a user's `npm test` runs on any machine), `tensorflow` (the native tfjs-node
// backend, which skips with a printed reason when tfjs-node is not installed) and `slow` (soak runs and the
// longest learning test; `npm run test:slow`, which CI runs too).
export default defineConfig({
  // Tests (and the examples and doc snippets they run) import the package by name; it resolves to the sources, as in
  // tsconfig.json, so no build is needed first. tests/package checks the built dist/ in a separate Node process.
  resolve: {
    alias: [
      { find: /^tfjs-generative\/wasm$/, replacement: fileURLToPath(new URL('src/wasm/index.ts', import.meta.url)) },
      { find: /^tfjs-generative$/, replacement: fileURLToPath(new URL('src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    setupFiles: ['tests/setup.ts'],
    // tfjs numeric suites are CPU-bound; two workers match this project's 2-core CI machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: ['tests/slow/**', 'tests/tensorflow/**'] },
      },
      {
        extends: true,
        test: {
          name: 'tensorflow',
          include: ['tests/tensorflow/**/*.test.ts'],
          // Prints why the tier is skipped, once; the setup file loads tfjs-node only where it is installed.
          globalSetup: ['tests/tensorflow/global-setup.ts'],
          setupFiles: ['tests/tensorflow/setup.ts'],
        },
      },
      { extends: true, test: { name: 'slow', include: ['tests/slow/**/*.test.ts'] } },
    ],
  },
});
