import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Node resolves `tfjs-generative` inside this repository to the package itself, through package.json's exports map,
// which is exactly what an installed copy does.
function exportedNames(kind: 'import' | 'require', specifier: string): string[] {
  const code =
    kind === 'import'
      ? `import(${JSON.stringify(specifier)}).then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`
      : `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)})).sort()))`;
  const out = execFileSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as string[];
}

beforeAll(() => {
  // The JavaScript of `npm run build`; CI checks the declarations with publint and attw after its own full build.
  execFileSync('npm', ['run', 'build', '--silent'], {
    cwd: root,
    stdio: 'pipe',
    env: { ...process.env, TSUP_DTS: '0' },
  });
}, 120_000);

it.each(['tfjs-generative', 'tfjs-generative/wasm'])('%s: import and require expose the same names', (specifier) => {
  const esm = exportedNames('import', specifier).filter((n) => n !== 'default' && n !== 'module.exports');
  const cjs = exportedNames('require', specifier);
  expect(esm.length).toBeGreaterThan(2);
  expect(cjs).toEqual(esm);
});

it('the main entry exposes the documented API and no backend', () => {
  const names = exportedNames('import', 'tfjs-generative');
  for (const name of [
    'GAN',
    'Trainer',
    'imageGrid',
    'nonSaturatingGeneratorLoss',
    'minimaxDiscriminatorLoss',
    'ShapeError',
  ]) {
    expect(names).toContain(name);
  }
  const bundle = readFileSync(`${root}/dist/index.js`, 'utf8');
  // Messages may name a backend package; an import of one may not.
  expect(bundle).not.toMatch(/(from|import|require\()\s*\(?["']@tensorflow\/tfjs-(backend-|node)/);
  expect(bundle).toMatch(/from ["']@tensorflow\/tfjs-core["']/); // a peer, not bundled
});

it("the README's CommonJS tour runs with require() on the built package", () => {
  const block = readFileSync(join(root, 'README.md'), 'utf8').match(/```js\n(const tf = require[\s\S]*?)```/);
  expect(block, 'a CommonJS block in README.md').not.toBeNull();
  // 3 steps instead of 1,500; then it prints what it trained, and whether it left only what it returned.
  const code = block![1]!.replace(/steps: \d+/, 'steps: 3').replace(
    /^main\(\);$/m,
    `let before;
tf.setBackend('wasm')
  .then(() => (before = tf.memory().numTensors))
  .then(main)
  .then(({ gan, history, grid }) => {
    const shape = grid.shape;
    tf.dispose([grid]);
    gan.dispose();
    console.log(JSON.stringify({ steps: history.steps.length, shape, left: tf.memory().numTensors - before }));
  });`,
  );
  const out = execFileSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { steps: number; shape: number[]; left: number };
  expect(result.steps).toBe(3);
  expect(result.shape).toEqual([302, 302, 1]);
  expect(result.left).toBe(1); // the tour's `images`, which stays the caller's
});
