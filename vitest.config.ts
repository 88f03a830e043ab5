import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The longest files, longest first (idle seconds: 98, 85, 40, 27, 22). Without a results cache (a fresh clone, as in
// CI) vitest orders files by size, and a long file that starts last runs alone on one worker while the other idles.
const LONG_FILES = [
  'tests/browser/page.test.ts',
  'tests/learning/gan-mnist.test.ts',
  'tests/learning/conditional-gan-mnist.test.ts',
  'tests/learning/gan-ring.test.ts',
  'tests/learning/vae-mnist.test.ts',
];

class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const i = LONG_FILES.findIndex((name) => file.moduleId.endsWith(name));
      return i === -1 ? LONG_FILES.length : i;
    };
    // Projects run one after another, in the order the base sequencer gives; reorder within each.
    const projects = new Map<string, TestSpecification[]>();
    for (const file of await super.sort(files)) {
      const name = file.project.name;
      projects.set(name, [...(projects.get(name) ?? []), file]);
    }
    return [...projects.values()].flatMap((project) =>
      project
        .map((file, i) => ({ file, i }))
        .sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i)
        .map(({ file }) => file),
    );
  }
}

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
    sequence: { sequencer: LongFilesFirst },
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
