/**
 * One training run of the page: a GAN or a VAE, a Trainer over the digits, and Pause / Resume / Stop. Pausing holds
 * the Trainer inside its awaited `onStepBegin` callback; stopping aborts its signal and waits for `fit` to settle
 * before the model is disposed, so no step ever runs on a disposed model.
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  GAN,
  MLP_GAN_RECIPES,
  Trainer,
  VAE,
  mlpDiscriminator,
  mlpGenerator,
  type MlpGanRecipeName,
  type StepLogs,
} from 'tfjs-generative';

export type ModelKind = 'gan' | 'vae';
export type SessionState = 'idle' | 'training' | 'paused' | 'done' | 'stopped' | 'error';

export interface SessionOptions {
  readonly kind: ModelKind;
  /** GAN networks: the article's (G 100→128→128→784, D 784→128→1) or the recommended recipe. */
  readonly recipe: MlpGanRecipeName;
  readonly seed: number;
  readonly batchSize: number;
  readonly maxSteps: number;
  /** Training digits in the model's range ([-1, 1] for the GAN, [0, 1] for the VAE); the caller owns them. */
  readonly data: tf.Tensor2D;
  /** Called after every step, awaited (the page redraws from here every few steps). */
  readonly onStep: (step: number, logs: StepLogs) => void | Promise<void>;
  /** Called once when the run ends, with the error if it failed. */
  readonly onEnd: (state: SessionState, error?: unknown) => void;
}

function buildModel(options: SessionOptions): GAN | VAE {
  if (options.kind === 'vae') return new VAE({ seed: options.seed }); // 784 → 400 → 20, Bernoulli
  const recipe = MLP_GAN_RECIPES[options.recipe];
  return new GAN(
    { seed: options.seed },
    {
      generator: mlpGenerator({ ...recipe.generator, seed: options.seed }),
      discriminator: mlpDiscriminator({ ...recipe.discriminator, seed: options.seed + 1 }),
    },
  );
}

export class TrainingSession {
  readonly model: GAN | VAE;
  private current: SessionState = 'idle';
  private readonly abort = new AbortController();
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private run: Promise<void> | undefined;

  constructor(private readonly options: SessionOptions) {
    this.model = buildModel(options);
  }

  get state(): SessionState {
    return this.current;
  }

  /** Starts training, or resumes it when paused. */
  start(): void {
    if (this.current === 'paused') return this.resume();
    if (this.current !== 'idle') return;
    this.current = 'training';
    const { data, batchSize, maxSteps, seed, onStep } = this.options;
    this.run = new Trainer(this.model)
      .fit(data, {
        batchSize,
        steps: maxSteps,
        seed,
        dropRemainder: true,
        signal: this.abort.signal,
        callbacks: { onStepBegin: () => this.gate, onStepEnd: onStep },
      })
      .then(
        (history) => this.finish(history.stopped ? 'stopped' : 'done'),
        (error: unknown) => this.finish('error', error),
      );
  }

  pause(): void {
    if (this.current !== 'training') return;
    this.current = 'paused';
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  resume(): void {
    if (this.current !== 'paused') return;
    this.current = 'training';
    this.openGate?.();
    this.gate = undefined;
  }

  /** Stops training, waits for the Trainer to return, and disposes the model. */
  async dispose(): Promise<void> {
    this.abort.abort();
    this.openGate?.();
    this.gate = undefined;
    await this.run;
    this.model.dispose();
  }

  private finish(state: SessionState, error?: unknown): void {
    this.current = state;
    this.options.onEnd(state, error);
  }
}
