export { Trainer } from './trainer';
export type { FitOptions, TrainerOptions, YieldEvery } from './trainer';
export type { TensorRecordOf, TrainingData } from './batches';
export type { TrainerCallbacks, TrainerContext, TrainingHistory } from './callbacks';
export { trainingHistoryOf } from './failure';
export { TRAINER_POSITION_VERSION } from './position';
export type { TrainerPosition } from './position';
export type { NumericLogs, StepLogs, Trainable } from './trainable';
