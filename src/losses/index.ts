export { minimaxDiscriminatorLoss, minimaxGeneratorLoss, nonSaturatingGeneratorLoss } from './minimax';
export type {
  DiscriminatorLossFn,
  DiscriminatorLossOptions,
  GeneratorLossFn,
  GeneratorLossOptions,
  LossResult,
} from './minimax';
export {
  minimaxDiscriminatorLossFromProbabilities,
  minimaxGeneratorLossFromProbabilities,
  nonSaturatingGeneratorLossFromProbabilities,
} from './probabilities';
export type { ProbabilityOptions } from './probabilities';
export type { LossWeights, Reduction, ReductionOptions } from './reduction';
export { gaussianKlDivergence, negativeElbo } from './vae';
export type { ElboParts, LikelihoodKind, NegativeElboOptions } from './vae';
export { bernoulliReconstructionLoss, gaussianReconstructionLoss } from './vae-reconstruction';
export type { GaussianReconstructionOptions, VaeLossOptions } from './vae-reconstruction';
