export { classCoverage } from './coverage';
export type { ClassCoverage, ClassCoverageOptions } from './coverage';
export { featureStatistics, frechetDistance } from './frechet';
export type { FeatureStatistics } from './frechet';
export { kernelDistance } from './kernel';
export type { KernelDistanceOptions, KernelDistanceResult } from './kernel';
export { precisionRecall } from './precision-recall';
export type { PrecisionRecallOptions, PrecisionRecallResult } from './precision-recall';
