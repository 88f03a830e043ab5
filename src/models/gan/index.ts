export { GAN } from './gan';
export {
  acgan,
  hinge,
  leastSquares,
  logitObjective,
  minimax,
  nonSaturating,
  nonSaturatingR1,
  wasserstein,
  wassersteinGp,
} from './objective';
export type {
  AcganOptions,
  AdversarialTerms,
  DiscriminatorOutput,
  GANObjective,
  R1Options,
  WassersteinGpOptions,
  WassersteinOptions,
} from './objective';
export type { GANStepLogs, GANGenerateOptions, GANSampleOptions } from './gan';
export type { GANState } from './state';
export type { GANBatch, LabelledBatch } from './labels';
export type { DataRange, EMAOptions, GANConfig, GANNetworks, GANUpdates, NonFinitePolicy } from './config';
export type { NetworkState } from '../../internal/network-state';
export type { OptimizerState } from '../../internal/optimizer-state';
export type { TensorState } from '../../internal/tensor-state';
