/**
 * Numeric logs of one training step, e.g. `{ discriminatorLoss: 1.38, generatorLoss: 0.69 }`. Plain numbers, never
 * tensors, so a caller can keep them without managing memory.
 *
 * @example
 * ```ts
 * const logs: StepLogs = await gan.trainStep(realBatch);
 * const losses = Object.entries(logs).map(([name, value]) => `${name} ${value.toFixed(3)}`).join(', ');
 * ```
 * @group Training
 */
export type StepLogs = Readonly<Record<string, number>>;

/**
 * The shape every log type must have: each of its keys a number. A model's own logs interface (`GANStepLogs`,
 * `VAEStepLogs`) meets it, so a {@link Trainer} of that model types `logs.discriminatorLoss` as `number` and refuses
 * `logs.notALog`.
 *
 * @example
 * ```ts
 * interface AutoencoderLogs {
 *   readonly loss: number;
 * }
 * const check: NumericLogs<AutoencoderLogs> = { loss: 0.1 }; // every field a number
 * ```
 * @group Training
 */
export type NumericLogs<L> = { readonly [K in keyof L]: number };

/**
 * The whole contract between a model and the {@link Trainer}: a `trainStep` that takes one batch, updates the
 * model's weights and resolves to numeric logs. The Trainer knows nothing else about the model, so any object with
 * this method (a {@link GAN}, a {@link VAE}, or your own) trains the same way.
 *
 * How a step ends the run:
 * - It resolves: the step counts, its logs go to `onStepEnd` and the history.
 * - It rejects with an error whose `stopTraining` property is `true` (the library's {@link NonFiniteError} under the
 *   `'stop'` policy, or any error of your own that sets it): the run ends as `ctx.stop()` would. The step does not
 *   count and `onStepEnd` is not called for it, but the epoch's `onEpochEnd` and `onTrainEnd` run, and `fit` resolves
 *   with `stopped: true` and that error as `history.stopReason`. `history.position` points at the step, so a resumed
 *   run retries its batch. The model must leave its state as before the step, as the built-in models do.
 * - It rejects with any other error: `fit` rejects with that error, its partial history attached (see
 *   {@link trainingHistoryOf}).
 *
 * @typeParam B - the batch type, a `tf.Tensor` for the built-in models
 * @typeParam L - the logs type each step resolves to; a {@link Trainer} of this model types its callbacks and history
 *   with it
 *
 * @example
 * ```ts
 * const w = tf.variable(tf.zeros([784, 1]));
 * const optimizer = tf.train.sgd(0.01);
 * const linear: Trainable<tf.Tensor, { loss: number }> = {
 *   async trainStep(batch) {
 *     const loss = optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.matMul(batch, w), 1))), true, [w]);
 *     const [value] = await loss!.data();
 *     loss!.dispose();
 *     return { loss: value! };
 *   },
 * };
 * const history = await new Trainer(linear).fit(images, { batchSize: 32, epochs: 1 });
 * console.log(history.steps.map((logs) => logs.loss)); // typed: each step's logs are { loss: number }
 * ```
 * @group Training
 */
export interface Trainable<B, L extends NumericLogs<L> = StepLogs> {
  /**
   * Runs one optimisation step on `batch` and resolves to its logs. Must not dispose `batch`. To end the run without
   * failing it, reject with an error whose `stopTraining` is `true`.
   */
  trainStep(batch: B): Promise<L> | L;
  /** Releases the model's tensors; the Trainer never calls it, the model's owner does. */
  dispose?(): void;
}
