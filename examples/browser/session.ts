/**
 * One training run of the page: a GAN or a VAE, a Trainer over the digits, and Pause / Resume / Stop. Pausing holds
 * the Trainer inside its awaited `onStepBegin` callback; stopping aborts its signal and waits for `fit` to settle
 * before the model is disposed, so no step ever runs on a disposed model.
 *
 * Checkpoints are taken only from inside the Trainer's callbacks, between steps, where the model's state and
 * `ctx.position` describe the same moment: every `saveEvery` steps, when a pause takes hold, and when the run is done.
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  GAN,
  MLP_GAN_RECIPES,
  Trainer,
  VAE,
  mlpDiscriminator,
  mlpGenerator,
  type GANBatch,
  type MlpGanRecipeName,
  type StepLogs,
  type TrainerPosition,
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
  /** Where to carry on from, with the model's state restored to the same moment first; omitted, from step 0. */
  readonly resumeFrom?: TrainerPosition;
  /** Saves a checkpoint (the model's state at `position`); omitted, nothing is saved. */
  readonly save?: (position: TrainerPosition) => Promise<void>;
  /** Steps between checkpoints, counted from the first run. */
  readonly saveEvery: number;
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
  private savedAt: number;

  constructor(private readonly options: SessionOptions) {
    this.model = buildModel(options);
    this.savedAt = options.resumeFrom?.step ?? -1;
  }

  get state(): SessionState {
    return this.current;
  }

  /** Starts training, or resumes it when paused. */
  start(): void {
    if (this.current === 'paused') return this.resume();
    if (this.current !== 'idle') return;
    this.current = 'training';
    const { data, batchSize, maxSteps, seed, onStep, resumeFrom, saveEvery } = this.options;
    // A GAN or a VAE: the logs are either's, so the common StepLogs type.
    this.run = new Trainer<GANBatch, StepLogs>(this.model)
      .fit(data, {
        batchSize,
        // A saved run past the page's ?steps= limit is simply done.
        steps: Math.max(maxSteps, resumeFrom?.step ?? 0),
        seed,
        dropRemainder: true,
        signal: this.abort.signal,
        ...(resumeFrom !== undefined && { resumeFrom }),
        callbacks: {
          onStepBegin: async (_step, ctx) => {
            if (this.gate === undefined) return;
            await this.checkpoint(ctx.position); // the pause has taken hold: nothing runs until Resume
            await this.gate;
          },
          onStepEnd: async (step, logs, ctx) => {
            await onStep(step, logs);
            if (ctx.position.step % saveEvery === 0) await this.checkpoint(ctx.position);
          },
        },
      })
      .then(
        async (history) => {
          if (!history.stopped) await this.checkpoint(history.position);
          this.finish(history.stopped ? 'stopped' : 'done');
        },
        (error: unknown) => this.finish('error', error),
      )
      .catch((error: unknown) => this.finish('error', error));
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

  private async checkpoint(position: TrainerPosition): Promise<void> {
    if (this.options.save === undefined || position.step === this.savedAt) return;
    await this.options.save(position);
    this.savedAt = position.step;
  }

  private finish(state: SessionState, error?: unknown): void {
    this.current = state;
    this.options.onEnd(state, error);
  }
}
