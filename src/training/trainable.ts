/**
 * Numeric logs of one training step, e.g. `{ discriminatorLoss: 1.38, generatorLoss: 0.69 }`. Plain numbers, never
 * tensors, so a caller can keep them without managing memory.
 */
export type StepLogs = Readonly<Record<string, number>>;

/**
 * The whole contract between a model and the {@link Trainer}: a `trainStep` that takes one batch, updates the
 * model's weights and resolves to numeric logs. The Trainer knows nothing else about the model, so any object with
 * this method (a {@link GAN}, a {@link VAE}, or your own) trains the same way.
 *
 * @typeParam B - the batch type, a `tf.Tensor` for the built-in models
 *
 * @example
 * ```ts
 * const linear: Trainable<tf.Tensor> = {
 *   async trainStep(batch) {
 *     const loss = optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.matMul(batch, w), 1))), true, [w]);
 *     const [value] = await loss!.data();
 *     loss!.dispose();
 *     return { loss: value! };
 *   },
 * };
 * await new Trainer(linear).fit(data, { batchSize: 32, epochs: 1 });
 * ```
 */
export interface Trainable<B> {
  /** Runs one optimisation step on `batch` and resolves to its logs. Must not dispose `batch`. */
  trainStep(batch: B): Promise<StepLogs> | StepLogs;
  /** Releases the model's tensors; the Trainer never calls it, the model's owner does. */
  dispose?(): void;
}
