export { MLP_GAN_RECIPES, mlpDiscriminator, mlpGenerator } from './mlp';
export type { HiddenActivation, MlpDiscriminatorOptions, MlpGeneratorOptions, MlpOptions } from './mlp';
export { SeededDropout, registerGenerativeLayers } from './seeded-dropout';
export type { SeededDropoutArgs } from './seeded-dropout';
