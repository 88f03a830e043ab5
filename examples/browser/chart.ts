/** A small loss chart on a 2D canvas: one line per logged quantity over the last `window` steps. */

export interface Series {
  readonly key: string;
  readonly label: string;
  readonly color: string;
}

export class LossChart {
  private readonly values: number[][];
  private start: number;

  /** @param firstStep - the 0-based step of the first logs pushed (a restored run starts part-way) */
  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly series: readonly Series[],
    private readonly window = 600,
    firstStep = 0,
  ) {
    this.values = series.map(() => []);
    this.start = firstStep;
  }

  /** Records one step's logs; call {@link LossChart.draw} to show them. */
  push(logs: Readonly<Record<string, number>>): void {
    this.series.forEach((s, i) => this.values[i]!.push(logs[s.key] ?? NaN));
    const excess = (this.values[0]?.length ?? 0) - this.window;
    if (excess > 0) {
      this.values.forEach((v) => v.splice(0, excess));
      this.start += excess;
    }
  }

  draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) return;
    const { width, height } = this.canvas;
    const pad = { left: 44, right: 8, top: 8, bottom: 20 };
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    const finite = this.values.flat().filter(Number.isFinite);
    const n = this.values[0]?.length ?? 0;
    if (finite.length === 0 || n === 0) return;
    let lo = Math.min(...finite);
    let hi = Math.max(...finite);
    if (hi - lo < 1e-6) [lo, hi] = [lo - 0.5, hi + 0.5];
    const x = (i: number): number => pad.left + ((width - pad.left - pad.right) * i) / Math.max(1, n - 1);
    const y = (v: number): number => pad.top + ((height - pad.top - pad.bottom) * (hi - v)) / (hi - lo);
    ctx.strokeStyle = '#ccc';
    ctx.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
    ctx.fillStyle = '#444';
    ctx.font = '11px sans-serif';
    ctx.fillText(hi.toPrecision(3), 2, pad.top + 10);
    ctx.fillText(lo.toPrecision(3), 2, height - pad.bottom);
    ctx.fillText(`step ${this.start + 1}`, pad.left, height - 5);
    ctx.fillText(`${this.start + n}`, width - pad.right - 40, height - 5);
    this.series.forEach((s, i) => {
      ctx.strokeStyle = s.color;
      ctx.beginPath();
      this.values[i]!.forEach((v, j) => (j === 0 ? ctx.moveTo(x(j), y(v)) : ctx.lineTo(x(j), y(v))));
      ctx.stroke();
      ctx.fillStyle = s.color;
      ctx.fillText(s.label, pad.left + 8 + i * 110, pad.top + 12);
    });
  }
}
