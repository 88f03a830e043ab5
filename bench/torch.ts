/**
 * The PyTorch contender: one long-lived `bench/torch_bench.py` process, asked for reps over stdin/stdout so that its
 * reps interleave with the tfjs ones in the same run. The step time is measured inside Python (no pipe in it).
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ModelName } from './models';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'torch_bench.py');

/** Which interpreter has torch: `$TORCH_PYTHON`, else Debian's (where `apt-get install python3-torch` puts it). */
function interpreter(): string {
  const fromEnv = process.env['TORCH_PYTHON'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** One rep: mean wall-clock and process CPU milliseconds per step (CPU time counts every thread). */
export interface Rep {
  readonly wall: number;
  readonly cpu: number;
}

interface Reply {
  readonly ok?: boolean;
  readonly torch?: string;
  readonly threads?: number;
  readonly ms?: number;
  readonly cpu_ms?: number;
  readonly error?: string;
}

/** A running PyTorch contender. */
export class TorchProcess {
  private readonly lines: AsyncIterator<string>;

  /** The torch version, its thread count, and the OpenMP wait policy it runs under. */
  description = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly reader: Interface) {
    this.lines = reader[Symbol.asyncIterator]();
  }

  /**
   * Starts the Python side with `threads` threads; resolves to the process, or to why PyTorch cannot run here.
   *
   * OpenMP's default wait policy spins between parallel regions; on a machine shared with other jobs that starves
   * the thread it waits for (a 2-thread article-GAN step went from 35 to 615 ms at load 10). Unless the caller set
   * `OMP_WAIT_POLICY`, it runs as `PASSIVE`, and the row says so.
   */
  static async start(threads: number): Promise<TorchProcess | string> {
    const python = interpreter();
    const waitPolicy = process.env['OMP_WAIT_POLICY'] ?? 'PASSIVE';
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(python, ['-u', SCRIPT, '--threads', String(threads)], {
        env: { ...process.env, OMP_WAIT_POLICY: waitPolicy },
      });
    } catch (e) {
      return `PyTorch not available: ${(e as Error).message}`;
    }
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A Python without torch exits at once: a request written after that fails with EPIPE, which must not crash the
    // bench (the read that follows sees the end of its output and answers "not installed").
    child.stdin.on('error', () => {});
    const spawned = await new Promise<string | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (e) => resolve(`PyTorch not available: cannot run ${python} (${e.message})`));
    });
    if (spawned !== undefined) return spawned;
    const reader = createInterface({ input: child.stdout });
    const proc = new TorchProcess(child, reader);
    const probe: Reply = await proc
      .request({ op: 'init', model: 'article-gan', batch: 2 })
      .catch((e: Error) => ({ error: e.message }));
    if (probe.error !== undefined || probe.ok !== true) {
      proc.close();
      const missing = /No module named '?torch/.test(stderr + (probe.error ?? ''));
      return missing
        ? `PyTorch not installed for ${python} (apt-get install python3-torch)`
        : `PyTorch failed to start: ${(probe.error ?? stderr).trim().split('\n').pop() ?? ''}`;
    }
    proc.description = `torch ${probe.torch ?? '?'}, ${probe.threads ?? '?'} threads, OMP_WAIT_POLICY=${waitPolicy}`;
    return proc;
  }

  private async request(req: object): Promise<Reply> {
    this.child.stdin.write(`${JSON.stringify(req)}\n`);
    const next = await this.lines.next();
    if (next.done === true) throw new Error('the PyTorch process exited');
    return JSON.parse(next.value) as Reply;
  }

  /** Builds `model` afresh (and warms it up); resolves to an error message if PyTorch cannot run it. */
  async init(model: ModelName, batch: number): Promise<string | undefined> {
    const reply = await this.request({ op: 'init', model, batch });
    return reply.error;
  }

  /** Mean wall-clock and CPU milliseconds per step over `steps` consecutive steps, timed in Python. */
  async rep(steps: number): Promise<Rep> {
    const reply = await this.request({ op: 'steps', n: steps });
    if (reply.error !== undefined || reply.ms === undefined) throw new Error(`PyTorch: ${reply.error ?? 'no reply'}`);
    return { wall: reply.ms, cpu: reply.cpu_ms ?? Number.NaN };
  }

  close(): void {
    if (this.child.exitCode === null) this.child.stdin.end(`${JSON.stringify({ op: 'quit' })}\n`);
    this.reader.close();
  }
}
