/**
 * tfjs-generative: typed GANs and VAEs for TensorFlow.js.
 *
 * - **Losses**: GAN losses from logits in stable form and their clipped probability-input variants, gradient
 *   penalties, and the VAE's closed-form Gaussian KL, reconstruction terms and negative ELBO.
 * - **Models**: {@link GAN} and {@link VAE}, their configs, the GAN objectives and their states.
 * - **Architectures**: MLP and DCGAN generator and discriminator factories with the measured recipes, MLP and
 *   convolutional VAE encoders and decoders, and the library's custom layers.
 * - **Training**: the {@link Trainer} and its {@link Trainable} contract.
 * - **Metrics**: {@link frechetDistance} (with {@link featureStatistics}), {@link kernelDistance}, {@link precisionRecall}
 *   and {@link classCoverage}: sample-quality measures on features or class probabilities the caller supplies.
 * - **Backends**: {@link probeBackend}, what the active backend can do for training, and
 *   {@link assertKernelsAvailable}, a clear error where it lacks a kernel a network needs; the wasm training kernels
 *   come from the `tfjs-generative/wasm` entry point.
 * - **Utilities**: typed errors that name the argument, the expected and the received value; {@link encodeState} /
 *   {@link decodeState} and the IO-handler forms, to checkpoint a model with the Trainer's position, and
 *   {@link exportNetwork} for plain tfjs-layers; {@link imageGrid}; {@link SeedStream}.
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
