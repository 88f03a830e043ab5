/**
 * Trains the article GAN in a dedicated Web Worker, to show that the library runs there unchanged: it touches no DOM.
 * The page posts `{ backend, steps, digitsUrl }`; the worker answers with the losses, or with an error message.
 * webgl works here too, through an OffscreenCanvas that tfjs creates itself.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';
import { GAN, MLP_GAN_RECIPES, Trainer, mlpDiscriminator, mlpGenerator } from 'tfjs-generative';
import { digitTensor, fetchDigits } from './digits';

export interface WorkerRequest {
  readonly backend: 'cpu' | 'webgl';
  readonly steps: number;
  readonly digitsUrl: string;
}

export interface WorkerReply {
  readonly backend: string;
  readonly hasDocument: boolean;
  readonly losses: readonly { readonly discriminatorLoss: number; readonly generatorLoss: number }[];
  readonly error?: string;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply): void;
};

async function train({ backend, steps, digitsUrl }: WorkerRequest): Promise<WorkerReply> {
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
    const history = await new Trainer(gan).fit(data, { batchSize: 64, steps, seed: 1, dropRemainder: true });
    const losses = history.steps.map((s) => ({
      discriminatorLoss: s['discriminatorLoss'] ?? NaN,
      generatorLoss: s['generatorLoss'] ?? NaN,
    }));
    return { backend: tf.getBackend(), hasDocument: typeof document !== 'undefined', losses };
  } finally {
    gan.dispose();
    data.dispose();
  }
}

scope.onmessage = (event) => {
  train(event.data).then(
    (reply) => scope.postMessage(reply),
    (e: unknown) =>
      scope.postMessage({ backend: '', hasDocument: false, losses: [], error: e instanceof Error ? e.message : String(e) }),
  );
};
