export { Trainer } from './trainer';
export type { FitOptions, TrainerOptions, YieldEvery } from './trainer';
export type { TrainingData } from './batches';
export type { TrainerCallbacks, TrainerContext, TrainingHistory } from './callbacks';
export type { StepLogs, Trainable } from './trainable';
