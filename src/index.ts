/**
 * tfjs-generative: typed GANs and VAEs for TensorFlow.js.
 *
 * - **Losses**: GAN losses from logits in stable form, and their clipped probability-input variants.
 * - **VAE losses**: the closed-form Gaussian KL, Bernoulli and Gaussian reconstruction terms, and the negative ELBO.
 * - **Models**: {@link GAN} and {@link VAE}.
 * - **Architectures**: MLP generator and discriminator factories and the measured recipes; MLP and convolutional VAE
 *   encoder and decoder factories.
 * - **Training**: the {@link Trainer} and its {@link Trainable} contract.
 * - **Images**: {@link imageGrid}, a batch of images as one picture.
 * - **Backends**: {@link probeBackend}, what the active backend can do for training, and
 *   {@link assertKernelsAvailable}, a clear error where it lacks a kernel a network needs.
 * - **State**: {@link encodeState}/{@link decodeState} and the IO-handler forms, to checkpoint a model's
 *   `getState()` with the Trainer's position anywhere, and {@link exportNetwork} for plain tfjs-layers.
 * - **Metrics**: {@link frechetDistance} (with {@link featureStatistics}), {@link kernelDistance}, {@link precisionRecall}
 *   and {@link classCoverage}: sample-quality measures on features or class probabilities the caller supplies.
 * - **Errors**: typed errors that name the argument, the expected and the received value.
 *
 * The library imports only `@tensorflow/tfjs-core` and `@tensorflow/tfjs-layers`; import a backend yourself.
 * @module
 */

export * from './losses';
export * from './models/gan';
export * from './models/vae';
export * from './architectures';
export * from './training';
export * from './images';
export * from './backends';
export * from './state';
export * from './metrics';
export {
  ConfigError,
  GenerativeError,
  NonFiniteError,
  ShapeError,
  StateError,
  StepError,
  ValueError,
  isConfigError,
  isGenerativeError,
  isNonFiniteError,
  isShapeError,
  isStateError,
  isStepError,
  isValueError,
} from './errors';
export type { GenerativeErrorKind } from './errors';
export { SeedStream } from './random';
