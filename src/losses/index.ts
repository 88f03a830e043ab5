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
export { clipWeights, wassersteinDiscriminatorLoss, wassersteinGeneratorLoss } from './wasserstein';
export type { CriticLossOptions } from './wasserstein';
export { hingeDiscriminatorLoss, hingeGeneratorLoss } from './hinge';
export { leastSquaresDiscriminatorLoss, leastSquaresGeneratorLoss } from './least-squares';
export type { LeastSquaresDiscriminatorLossOptions, LeastSquaresGeneratorLossOptions } from './least-squares';
export { acganDiscriminatorLoss, acganGeneratorLoss, auxiliaryClassificationLoss } from './auxiliary';
export type { AcganDiscriminatorLossOptions, AuxiliaryClassificationOptions, ClassLabels } from './auxiliary';
export { checkSecondDerivative, r1Penalty, wassersteinGradientPenalty } from './penalties';
export type { CriticFn, GradientPenaltyOptions, R1PenaltyOptions, SecondDerivativeCheckOptions } from './penalties';
