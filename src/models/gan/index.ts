export { GAN } from './gan';
export type { GANStepLogs, SampleOptions } from './gan';
export type { GANConfig, GANNetworks, GANTrainSteps } from './config';
