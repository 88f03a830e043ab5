export { VAE } from './vae';
export type { VAEState } from './vae';
export type {
  BetaWarmup,
  EvaluateOptions,
  GaussianLikelihood,
  ImportanceWeightedOptions,
  InterpolateOptions,
  ReconstructOptions,
  VAEConfig,
  VAEDecoding,
  VAEEncoding,
  VAEEvaluation,
  VAELikelihood,
  VAENetworks,
  VAEOutput,
  VAESampleOptions,
  VAEStepLogs,
} from './config';
