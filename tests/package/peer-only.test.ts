import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('trains with only tfjs-core, tfjs-layers and the cpu backend loaded (no union package, no chained ops)', () => {
  const script = fileURLToPath(new URL('./fixtures/peer-only.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
    backend: string;
    chained: string;
    steps: Record<string, number>[];
    gridShape: number[];
  };
  expect(result.backend).toBe('cpu');
  expect(result.chained).toBe('undefined');
  expect(result.steps).toHaveLength(2);
  for (const logs of result.steps) for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
  expect(result.gridShape).toEqual([2 * 3 + 3 * 2, 2 * 3 + 3 * 2, 1]);
});
