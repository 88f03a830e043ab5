/**
 * Checkpoints for the Node examples (`--checkpoint FILE`): the model's state and the Trainer's position in one file,
 * written every few steps and when the run ends or is interrupted, and read back at start so the run carries on
 * where it was, bit for bit.
 *
 * A checkpoint file is `encodeState({ model, trainer, run })`: `model` is `await model.getState()`, `trainer` the
 * `TrainerPosition` at that moment, and `run` the flags the run depends on (seed, batch size, networks), so a
 * checkpoint is never resumed under other flags by mistake.
 */

import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  decodeState,
  encodeState,
  isStateError,
  type TrainerCallbacks,
  type TrainerPosition,
  type TrainingHistory,
} from 'tfjs-generative';

/** A model whose state can be saved and restored: the library's `GAN` and `VAE`. */
export interface Stateful<S> {
  getState(): Promise<S>;
  setState(state: S): void;
}

/** The flags a run depends on, by name, e.g. `{ example: 'gan-mnist', seed: 1, batchSize: 64 }`. */
export type RunIdentity = Readonly<Record<string, string | number>>;

/** What a checkpoint file holds. */
export interface Checkpoint<S> {
  readonly model: S;
  readonly trainer: TrainerPosition;
  readonly run: RunIdentity;
}

/**
 * Writes `bytes` to `path` atomically: to `path.tmp` first, flushed to disk, then renamed over `path`. A crash or a
 * kill at any moment leaves either the old file or the new one, never half of one.
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/gan.ckpt', encodeState(tree));
 * ```
 */
export async function writeFileAtomic(path: string, bytes: ArrayBuffer | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}

/** The bytes of `path`, or `undefined` when there is no such file. */
async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Options of {@link Checkpointer}. */
export interface CheckpointerOptions {
  /** The checkpoint file. */
  readonly path: string;
  /** Save after every this many steps (counted from the first run). */
  readonly every: number;
  /** The flags the run depends on; a checkpoint saved under other values is refused. */
  readonly run: RunIdentity;
  /** The flag each key of `run` comes from, for the refusal message, e.g. `{ batchSize: '--batch-size' }`. */
  readonly flags?: Readonly<Record<string, string>>;
}

/**
 * Saves and resumes one example run. `restore()` before training; pass `callbacks` and `signal` to `fit` (with
 * `resumeFrom` set to what `restore()` returned); `finish(history)` after it.
 *
 * The first Ctrl-C (SIGINT) or a SIGTERM aborts `signal`: the Trainer stops before its next step, and `finish` saves
 * the checkpoint there. A second Ctrl-C exits at once, keeping the last checkpoint written.
 *
 * @example
 * ```ts
 * const checkpoints = new Checkpointer(gan, { path: flags.checkpoint, every: 100, run: { seed: flags.seed } });
 * const resumeFrom = await checkpoints.restore();
 * const history = await new Trainer(gan).fit(data, {
 *   batchSize: 64, steps: 2000, seed: flags.seed,
 *   ...(resumeFrom && { resumeFrom }),
 *   signal: checkpoints.signal,
 *   callbacks: [progress, checkpoints.callbacks],
 * });
 * if (await checkpoints.finish(history)) process.exit(130); // interrupted, and saved
 * ```
 */
export class Checkpointer<S> {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Saves the checkpoint after every `every`-th step. */
  readonly callbacks: TrainerCallbacks;
  private readonly abort = new AbortController();
  private savedAt = -1;
  private readonly onSignal = (name: NodeJS.Signals): void => {
    if (this.abort.signal.aborted) {
      process.stderr.write(`\n${name} again: exiting; the checkpoint at step ${this.savedAt} stays.\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${name}: stopping after this step and saving to ${this.options.path}…\n`);
    this.abort.abort(name);
  };

  constructor(
    private readonly model: Stateful<S>,
    private readonly options: CheckpointerOptions,
  ) {
    this.signal = this.abort.signal;
    this.callbacks = {
      onStepEnd: async (_step, _logs, ctx) => {
        if (ctx.position.step % options.every === 0) await this.save(ctx.position);
      },
    };
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /**
   * Reads the checkpoint file if there is one, restores the model from it, prints one line saying from which step
   * the run resumes, and returns the Trainer position to pass as `resumeFrom`; `undefined` when there is no file. A
   * file that is corrupt, from another example, or saved under other flags prints why and exits with code 2, the
   * model untouched.
   *
   * @param totalSteps - the steps this run trains for in all; a checkpoint past them is refused
   */
  async restore(totalSteps?: number): Promise<TrainerPosition | undefined> {
    const { path } = this.options;
    const bytes = await readIfExists(path);
    if (bytes === undefined) return undefined;
    let checkpoint: Checkpoint<S>;
    try {
      checkpoint = decodeState<Checkpoint<S>>(bytes);
      this.checkRun(checkpoint.run);
      if (typeof checkpoint.trainer?.step !== 'number') throw new UsageMismatch('it holds no Trainer position');
      if (totalSteps !== undefined && checkpoint.trainer.step > totalSteps) {
        throw new UsageMismatch(
          `it is at step ${checkpoint.trainer.step}, past the ${totalSteps} steps this run trains for`,
        );
      }
      this.model.setState(checkpoint.model);
    } catch (e) {
      if (!(e instanceof UsageMismatch) && !isStateError(e)) throw e;
      process.stderr.write(
        `error: cannot resume from ${path}: ${e.message}\nDelete it (or pass another --checkpoint) to start afresh.\n`,
      );
      process.exit(2);
    }
    const { step, epoch, batch } = checkpoint.trainer;
    this.savedAt = step;
    console.log(`Resuming from ${path} at step ${step} (epoch ${epoch + 1}, batch ${batch}).`);
    return checkpoint.trainer;
  }

  /**
   * Saves the checkpoint at `history.position` unless it is already saved there, and stops listening for signals.
   * @returns `true` when the run was interrupted by a signal (the caller should exit without its final outputs)
   */
  async finish(history: TrainingHistory): Promise<boolean> {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    if (history.position.step !== this.savedAt) await this.save(history.position);
    const interrupted = this.abort.signal.aborted;
    if (interrupted) {
      console.log(
        `Stopped at step ${history.position.step}; saved to ${this.options.path}. Run the same command to carry on.`,
      );
    }
    return interrupted;
  }

  private async save(trainer: TrainerPosition): Promise<void> {
    const tree = { model: await this.model.getState(), trainer, run: this.options.run };
    await writeFileAtomic(this.options.path, encodeState(tree));
    this.savedAt = trainer.step;
  }

  private checkRun(saved: unknown): void {
    const expected = this.options.run;
    const record = (typeof saved === 'object' && saved !== null ? saved : {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) {
      if (record[key] === value) continue;
      const flag = this.options.flags?.[key] ?? key;
      throw new UsageMismatch(
        `it was saved with ${flag} ${JSON.stringify(record[key] ?? null)}, this run has ${JSON.stringify(value)}`,
      );
    }
  }
}

class UsageMismatch extends Error {}
