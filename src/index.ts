/**
 * tfjs-generative: typed GANs and VAEs for TensorFlow.js.
 *
 * - **Losses**: GAN losses from logits in stable form, and their clipped probability-input variants.
 * - **Models**: {@link GAN}.
 * - **Architectures**: MLP generator and discriminator factories and the measured recipes.
 * - **Training**: the {@link Trainer} and its {@link Trainable} contract.
 * - **Images**: {@link imageGrid}, a batch of images as one picture.
 * - **Errors**: typed errors that name the argument, the expected and the received value.
 *
 * The library imports only `@tensorflow/tfjs-core` and `@tensorflow/tfjs-layers`; import a backend yourself.
 * @module
 */

export * from './losses';
export * from './models/gan';
export * from './architectures';
export * from './training';
export * from './images';
export {
  ConfigError,
  GenerativeError,
  ShapeError,
  ValueError,
  isConfigError,
  isGenerativeError,
  isShapeError,
  isValueError,
} from './errors';
export type { GenerativeErrorKind } from './errors';
export { SeedStream } from './random';
