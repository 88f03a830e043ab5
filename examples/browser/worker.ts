/**
 * Trains the article GAN in a dedicated Web Worker, to show that the library runs there unchanged: it touches no DOM.
 * The page posts `{ backend, steps, digitsUrl }`; the worker answers with the losses, or with an error message.
 * webgl works here too, through an OffscreenCanvas that tfjs creates itself.
 *
 * With `checkpoint` (an `indexeddb://` URL: IndexedDB is there in workers too), the run resumes from the run saved
 * there, if any, and saves to it every `saveEvery` steps and at the end, as the page does.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';
import {
  GAN,
  MLP_GAN_RECIPES,
  Trainer,
  mlpDiscriminator,
  mlpGenerator,
  type GANState,
  type TrainerPosition,
} from 'tfjs-generative';
import { digitTensor, fetchDigits } from './digits';
import { loadRun, sameSettings, saveRun, stateChecksum, type RunSettings } from './saved-run';

export interface WorkerRequest {
  readonly backend: 'cpu' | 'webgl';
  /** Steps in all, those of a resumed run included. */
  readonly steps: number;
  readonly digitsUrl: string;
  /** Where to save the run and resume it from, e.g. `indexeddb://worker-run`. */
  readonly checkpoint?: string;
  /** Steps between saves. @defaultValue 50 */
  readonly saveEvery?: number;
}

export interface WorkerReply {
  readonly backend: string;
  readonly hasDocument: boolean;
  /** The losses of the steps this run trained (from `resumedFrom`, or 0). */
  readonly losses: readonly { readonly discriminatorLoss: number; readonly generatorLoss: number }[];
  /** The step the run resumed from, or `null` when it started afresh. */
  readonly resumedFrom: number | null;
  /** Steps done at the end, and the checksum of the final state (see `stateChecksum`). */
  readonly step: number;
  readonly checksum: string;
  /** Saves made. */
  readonly saves: number;
  readonly error?: string;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply): void;
};

const SETTINGS: RunSettings = { kind: 'gan', recipe: 'article', seed: 1, batchSize: 64 };

async function train({ backend, steps, digitsUrl, checkpoint, saveEvery = 50 }: WorkerRequest): Promise<WorkerReply> {
  if (!(await tf.setBackend(backend))) throw new Error(`The ${backend} backend failed to initialise in the worker.`);
  await tf.ready();
  const digits = await fetchDigits(digitsUrl);
  const data = digitTensor(digits, [-1, 1], 0, 640);
  const gan = new GAN(
    { seed: 1 },
    {
      generator: mlpGenerator({ ...MLP_GAN_RECIPES.article.generator, seed: 1 }),
      discriminator: mlpDiscriminator({ ...MLP_GAN_RECIPES.article.discriminator, seed: 2 }),
    },
  );
  try {
    let resumeFrom: TrainerPosition | undefined;
    const saved = checkpoint === undefined ? undefined : await loadRun(checkpoint);
    if (saved !== undefined && sameSettings(saved.settings, SETTINGS)) {
      gan.setState(saved.model as GANState);
      resumeFrom = saved.trainer;
    }
    let saves = 0;
    const save = async (position: TrainerPosition): Promise<void> => {
      if (checkpoint === undefined) return;
      await saveRun(checkpoint, { model: await gan.getState(), trainer: position, settings: SETTINGS });
      saves++;
    };
    const history = await new Trainer(gan).fit(data, {
      batchSize: SETTINGS.batchSize,
      steps: Math.max(steps, resumeFrom?.step ?? 0),
      seed: SETTINGS.seed,
      dropRemainder: true,
      ...(resumeFrom !== undefined && { resumeFrom }),
      callbacks: {
        onStepEnd: async (_step, _logs, ctx) => {
          if (ctx.position.step % saveEvery === 0) await save(ctx.position);
        },
      },
    });
    if (history.position.step % saveEvery !== 0) await save(history.position);
    const losses = history.steps.map((s) => ({
      discriminatorLoss: s['discriminatorLoss'] ?? NaN,
      generatorLoss: s['generatorLoss'] ?? NaN,
    }));
    return {
      backend: tf.getBackend(),
      hasDocument: typeof document !== 'undefined',
      losses,
      resumedFrom: resumeFrom?.step ?? null,
      step: history.position.step,
      checksum: stateChecksum(await gan.getState()),
      saves,
    };
  } finally {
    gan.dispose();
    data.dispose();
  }
}

scope.onmessage = (event) => {
  train(event.data).then(
    (reply) => scope.postMessage(reply),
    (e: unknown) =>
      scope.postMessage({
        backend: '',
        hasDocument: false,
        losses: [],
        resumedFrom: null,
        step: 0,
        checksum: '',
        saves: 0,
        error: e instanceof Error ? e.message : String(e),
      }),
  );
};
