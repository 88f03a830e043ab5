import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

// A smoke run of the DCGAN example, as CI runs the GAN example: a few steps, the PNG written, the quality line printed.
const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dcgan-example-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('examples/dcgan-mnist.ts --conditional --loss hinge --steps 2 writes its grid and prints FD and coverage', async () => {
  const out = join(dir, 'grid.png');
  const args = ['--import', 'tsx', 'examples/dcgan-mnist.ts', '--conditional', '--loss', 'hinge', '--steps', '2'];
  const { stdout } = await run(process.execPath, [...args, '--out', out], { encoding: 'utf8' });
  expect(stdout).toMatch(/conditional DCGAN \(hinge\)/);
  expect(stdout).toMatch(/2 steps in/);
  expect(stdout).toMatch(/row r: digit r/);
  expect(stdout).toMatch(
    /MNIST Fréchet distance \d+(\.\d+)? \(real held-out digits: \d+\.\d+\), \d+ of 10 digit classes/,
  );
  expect((await stat(out)).size).toBeGreaterThan(1000);
}, 180_000);
