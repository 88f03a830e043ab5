/**
 * A one-line training progress display for the examples: redrawn in place (`\r`) on a terminal, plain periodic lines
 * when the output goes to a file or a CI log.
 */

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Where to write; default `process.stdout`. */
  readonly stream?: NodeJS.WriteStream;
  /** A prefix such as `gan`; default none. */
  readonly label?: string;
  /** Lines printed over the run when the stream is not a terminal (plus the final one); default `10`. */
  readonly lines?: number;
  /** Minimum time between redraws on a terminal, in ms; default `100`. */
  readonly redrawMs?: number;
  /** Steps already done when the display starts (a resumed run), left out of the speed; default `0`. */
  readonly start?: number;
}

/**
 * Shows `step/total`, percent, average steps per second, time left and the given numeric logs (3 decimals).
 *
 * @example
 * ```ts
 * const progress = new Progress(flags.steps, { label: 'gan' });
 * for (let step = 1; step <= flags.steps; step++) {
 *   const logs = await gan.trainStep(batch); // { generatorLoss, discriminatorLoss }
 *   progress.update(step, logs);
 * }
 * progress.done();
 * // gan 1500/1500 100% · 212.4 steps/s · 0s left · generatorLoss 0.871 discriminatorLoss 1.204
 * ```
 */
export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly start = performance.now();
  private lastDraw = -Infinity;
  private nextLineStep: number;
  private readonly lineEvery: number;
  private readonly redrawMs: number;
  private line = '';
  private finished = false;

  /** @param total - the number of steps the run will take */
  constructor(
    private readonly total: number,
    private readonly options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stdout;
    this.tty = this.stream.isTTY === true;
    this.lineEvery = Math.max(1, Math.ceil(total / Math.max(1, options.lines ?? 10)));
    this.nextLineStep = this.lineEvery;
    this.redrawMs = options.redrawMs ?? 100;
  }

  /** Reports that `step` steps (1-based) are done, with the latest logs. Cheap to call every step. */
  update(step: number, logs: Readonly<Record<string, number>> = {}): void {
    if (this.finished) return;
    const now = performance.now();
    if (this.tty) {
      if (now - this.lastDraw < this.redrawMs && step < this.total) return;
      this.lastDraw = now;
      this.line = this.format(step, logs, now);
      this.stream.write(`\r${this.line}\x1b[K`);
    } else if (step >= this.nextLineStep || step >= this.total) {
      this.nextLineStep = (Math.floor(step / this.lineEvery) + 1) * this.lineEvery;
      this.line = this.format(step, logs, now);
      this.stream.write(`${this.line}\n`);
    }
  }

  /** Ends the display: on a terminal, draws the final state (when `logs` are given) and moves to a new line. */
  done(step = this.total, logs?: Readonly<Record<string, number>>): void {
    if (this.finished) return;
    if (logs !== undefined) {
      this.line = this.format(step, logs, performance.now());
      this.stream.write(this.tty ? `\r${this.line}\x1b[K` : `${this.line}\n`);
    }
    if (this.tty && this.line !== '') this.stream.write('\n');
    this.finished = true;
  }

  /** Seconds since the display was created. */
  get elapsedSeconds(): number {
    return (performance.now() - this.start) / 1000;
  }

  private format(step: number, logs: Readonly<Record<string, number>>, now: number): string {
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? (step - (this.options.start ?? 0)) / seconds : 0;
    const left = rate > 0 ? (this.total - step) / rate : NaN;
    const width = String(this.total).length;
    const label = this.options.label === undefined ? '' : `${this.options.label} `;
    const percent = String(Math.floor((100 * step) / this.total)).padStart(3);
    const parts = `${label}${String(step).padStart(width)}/${this.total} ${percent}%`;
    const stats = [`${rate.toFixed(1)} steps/s`, `${formatDuration(left)} left`];
    const values = Object.entries(logs).map(([k, v]) => `${k} ${v.toFixed(3)}`);
    return [parts, ...stats, ...(values.length > 0 ? [values.join(' ')] : [])].join(' · ');
  }
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
