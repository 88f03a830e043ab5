export { MLP_GAN_RECIPES, mlpDiscriminator, mlpGenerator } from './mlp';
export type {
  HiddenActivation,
  MlpDiscriminatorOptions,
  MlpGanRecipe,
  MlpGanRecipeName,
  MlpGeneratorOptions,
  MlpOptions,
} from './mlp';
export { SeededDropout } from './seeded-dropout';
export { registerGenerativeLayers } from './register';
export type { SeededDropoutArgs } from './seeded-dropout';
export { convDecoder, convEncoder, mlpDecoder, mlpEncoder } from './vae';
export type { ConvVaeOptions, MlpDecoderOptions, MlpEncoderOptions, VaeNetworkOptions } from './vae';
export { dcganDiscriminator, dcganGenerator } from './dcgan';
export type { DcganDiscriminatorOptions, DcganGeneratorOptions, DcganOptions } from './dcgan';
export { SafeLeakyReLU, safeLeakyRelu } from './activations';
export type { SafeLeakyReLUArgs } from './activations';
export type {
  ConditionalDiscriminatorOptions,
  ConditionalGeneratorOptions,
  Conditioning,
  DiscriminatorConditioning,
} from './conditioning';
