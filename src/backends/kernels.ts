/**
 * Which tfjs kernels a network needs to train, and whether the active backend registers them. A backend that lacks
 * one (stock `@tensorflow/tfjs-backend-wasm` 4.22 has no `Conv2DBackpropFilter`) otherwise fails deep inside the
 * first training step with "Kernel 'Conv2DBackpropFilter' not registered"; checking the table below first turns that
 * into a {@link ConfigError} that names the network, the layers, the kernels and the backend.
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ValueError } from '../errors';
import { describe } from '../internal/describe';

/**
 * Kernels of the optimizer (Adam), the built-in losses and the per-step checks and logs, needed whatever the layers.
 * Measured with `tf.profile` over `GAN.trainStep` and `VAE.trainStep` on cpu (tests/backends/probe.test.ts keeps the
 * tables honest).
 */
const TRAINING_BASE = [
  'Add', 'Multiply', 'RealDiv', 'Sqrt', 'Square', 'Sub', 'Sum', 'Mean', 'Cast', 'Identity', 'Reshape', 'Neg',
  'Softplus', 'Sigmoid', 'Exp', 'Max', 'Min', 'Concat', 'Pack', 'IsFinite', 'All', 'SquaredDifference', 'ZerosLike',
  'Abs', 'Maximum',
] as const;

/** Forward (training mode) and backward kernels of each tfjs-layers class, by `getClassName()`, activation apart. */
const LAYER_KERNELS: Readonly<Record<string, readonly string[]>> = {
  InputLayer: [],
  Dense: ['_FusedMatMul', 'BatchMatMul', 'Transpose', 'Add', 'Sum', 'Reshape'],
  Conv2D: ['FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Add', 'Sum', 'Reshape'],
  Conv2DTranspose: ['Conv2DBackpropInput', 'Conv2D', 'Conv2DBackpropFilter', 'Add', 'Sum', 'Reshape'],
  BatchNormalization: ['FusedBatchNorm', 'Rsqrt', 'Neg', 'Tile', 'Mean', 'Sub', 'Square', 'Multiply', 'Add', 'Sum'],
  LeakyReLU: ['LeakyRelu', 'Greater', 'Select'],
  ReLU: ['Relu', 'Step', 'Cast'],
  Activation: [],
  Dropout: ['Floor', 'Add', 'RealDiv', 'Multiply'],
  TfjsGenerativeSeededDropout: ['Floor', 'Add', 'RealDiv', 'Multiply'],
  TfjsGenerativeSafeLeakyReLU: ['Multiply', 'Relu', 'Step', 'Cast', 'Add'],
  Reshape: ['Reshape'],
  Flatten: ['Reshape'],
  Concatenate: ['Concat', 'Slice'],
  RepeatVector: ['Tile', 'Reshape'],
};

/** Extra kernels of each tfjs-layers activation (forward and gradient), measured on a dense layer. */
const ACTIVATION_KERNELS: Readonly<Record<string, readonly string[]>> = {
  linear: [],
  relu: ['Relu', 'Step', 'Cast'],
  relu6: ['Relu', 'Step', 'Minimum', 'Greater', 'Cast'],
  elu: ['Elu', 'EluGrad'],
  selu: ['Selu', 'Exp', 'Greater', 'Select', 'Cast'],
  sigmoid: ['Sigmoid', 'Sub'],
  hardSigmoid: ['ClipByValue', 'GreaterEqual', 'LessEqual', 'LogicalAnd', 'Select', 'ZerosLike', 'Cast'],
  softmax: ['Softmax', 'Sub'],
  softplus: ['Softplus', 'Sigmoid'],
  softsign: ['Abs', 'Neg', 'RealDiv', 'Square', 'Step', 'Cast'],
  tanh: ['Tanh', 'Square', 'Sub'],
  swish: ['Sigmoid', 'Sub', 'Cast'],
  mish: ['Softplus', 'Tanh', 'Sigmoid', 'Square', 'Sub', 'Cast'],
  gelu: ['Erf', 'Exp', 'Neg', 'RealDiv', 'Square', 'Cast'],
};

/**
 * The layer classes this library's factories build (MLP and convolutional networks), with the activations they use.
 * {@link probeBackend} reports which of them the active backend cannot train.
 */
export const LIBRARY_LAYERS: readonly (readonly [string, string])[] = [
  ['Dense', 'linear'],
  ['Dense', 'relu'],
  ['Dense', 'tanh'],
  ['Dense', 'sigmoid'],
  ['Conv2D', 'linear'],
  ['Conv2DTranspose', 'linear'],
  ['BatchNormalization', 'linear'],
  ['LeakyReLU', 'linear'],
  ['ReLU', 'linear'],
  ['Activation', 'relu'],
  ['Activation', 'tanh'],
  ['TfjsGenerativeSeededDropout', 'linear'],
  ['TfjsGenerativeSafeLeakyReLU', 'linear'],
  ['Reshape', 'linear'],
  ['Flatten', 'linear'],
];

/**
 * What {@link trainingKernels} found in a network.
 *
 * @example
 * ```ts
 * const { kernels, unknownLayers } = trainingKernels(discriminator);
 * ```
 * @group Backends
 */
export interface KernelRequirements {
  /** Kernel names a training step of the network may dispatch (forward in training mode, backward, Adam), sorted. */
  readonly kernels: readonly string[];
  /** Layers whose class (or activation) the table does not know, as `name (Class)`; their kernels are not listed. */
  readonly unknownLayers: readonly string[];
}

/** Kernel names the layer class and activation need, or undefined where the table does not know them. */
export function layerKernels(className: string, activation = 'linear'): readonly string[] | undefined {
  const own = LAYER_KERNELS[className];
  const act = ACTIVATION_KERNELS[activation];
  return own === undefined || act === undefined ? undefined : [...own, ...act];
}

/** Refuses anything but a tfjs-layers model, so a wrong argument is a typed error naming it, not a TypeError. */
function assertModel(model: unknown, argument: string): asserts model is tfl.LayersModel {
  if (!(model instanceof tfl.LayersModel)) throw new ConfigError(argument, 'a tfjs-layers LayersModel', describe(model));
}

function flatLayers(model: tfl.LayersModel | tfl.layers.Layer): tfl.layers.Layer[] {
  if (model instanceof tfl.LayersModel) return model.layers.flatMap((layer) => flatLayers(layer));
  return [model];
}

function activationOf(layer: tfl.layers.Layer): string {
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof activation === 'string' ? activation : 'linear';
}

/**
 * The kernels a training step of `model` needs: those of each layer (nested models included) in training mode and of
 * their gradients, plus those of Adam and the built-in losses. Layer classes outside the table, such as custom
 * layers, are listed in `unknownLayers` rather than guessed.
 *
 * @param model - a tfjs-layers network
 * @returns the sorted kernel names and the layers that could not be accounted for
 *
 * @example
 * ```ts
 * const needs = trainingKernels(mlpDiscriminator({ seed: 1 })); // kernels: ['Add', 'BatchMatMul', ..., '_FusedMatMul']
 * ```
 * @group Backends
 */
export function trainingKernels(model: tfl.LayersModel): KernelRequirements {
  assertModel(model, 'model');
  const kernels = new Set<string>(TRAINING_BASE);
  const unknownLayers: string[] = [];
  for (const layer of flatLayers(model)) {
    const needed = layerKernels(layer.getClassName(), activationOf(layer));
    if (needed === undefined) unknownLayers.push(`${layer.name} (${layer.getClassName()})`);
    else needed.forEach((k) => kernels.add(k));
  }
  return { kernels: [...kernels].sort(), unknownLayers };
}

/** The active backend's name; before the first op tfjs has not chosen one yet, and `tf.backend()` makes it choose. */
export function activeBackend(): string {
  if (!tf.getBackend()) tf.backend();
  return tf.getBackend();
}

function registered(backend: string): Set<string> {
  return new Set(tf.getKernelsForBackend(backend).map((k) => k.kernelName));
}

/**
 * The kernels a training step of `model` needs that `backend` does not register.
 *
 * @param model - a tfjs-layers network
 * @param backend - a registered backend's name; the active one, `tf.getBackend()`, when omitted
 * @returns the missing kernel names, sorted; empty when the backend has them all
 *
 * @example
 * ```ts
 * missingKernels(dcganDiscriminator({ seed: 1 }), 'wasm'); // ['Conv2DBackpropFilter'] on stock tfjs-backend-wasm
 * ```
 * @group Backends
 */
export function missingKernels(model: tfl.LayersModel, backend: string = activeBackend()): readonly string[] {
  assertModel(model, 'model');
  const have = registered(backend);
  return trainingKernels(model).kernels.filter((k) => !have.has(k));
}

/**
 * Throws a {@link ConfigError} when the active backend lacks a kernel that training `model` needs, naming the
 * network, the layers, the kernels and the backend. Models call it before their first training step on a backend, so
 * a gap is a clear error before any weight changes rather than "Kernel '…' not registered" halfway through a step.
 *
 * @param model - the network to check
 * @param argument - its name in the caller's terms, e.g. `networks.discriminator`
 * @throws {@link ConfigError} when a kernel is missing
 *
 * @example
 * ```ts
 * await tf.setBackend('wasm');
 * assertKernelsAvailable(discriminator, 'networks.discriminator'); // throws for conv layers on stock wasm
 * ```
 * @group Backends
 */
export function assertKernelsAvailable(model: tfl.LayersModel, argument: string): void {
  if (typeof argument !== 'string' || argument === '') {
    throw new ValueError('argument', 'a non-empty string naming the model', describe(argument));
  }
  assertModel(model, argument);
  const backend = activeBackend();
  const have = registered(backend);
  const missing = new Set<string>();
  const layers: string[] = [];
  for (const layer of flatLayers(model)) {
    const lacking = (layerKernels(layer.getClassName(), activationOf(layer)) ?? []).filter((k) => !have.has(k));
    if (lacking.length > 0) layers.push(`${layer.name} (${layer.getClassName()})`);
    lacking.forEach((k) => missing.add(k));
  }
  TRAINING_BASE.filter((k) => !have.has(k)).forEach((k) => missing.add(k));
  if (missing.size === 0) return;
  const kernels = [...missing].sort().join(', ');
  const where = layers.length > 0 ? ` for layers ${layers.join(', ')}` : '';
  throw new ConfigError(
    argument,
    `a network whose training kernels the '${backend}' backend registers`,
    `one that needs ${kernels}${where}, not registered on '${backend}'`,
    backend === 'wasm'
      ? "Call installWasmTrainingKernels() from 'tfjs-generative/wasm' after importing the wasm backend, which " +
          "registers the training kernels stock tfjs-backend-wasm lacks, or train on 'cpu' or 'webgl'."
      : "Train on 'cpu', which registers every kernel, or register the missing kernels for this backend.",
  );
}

/**
 * Runs {@link assertKernelsAvailable} on a model's networks once per backend: the first training step on a backend
 * checks, later ones cost one Set lookup. A failed check is not remembered, so installing the missing kernels and
 * retrying works.
 * @internal
 */
export class KernelCheck {
  private readonly passed = new Set<string>();

  /** @param networks - each network with its argument name, e.g. `[generator, 'networks.generator']` */
  constructor(private readonly networks: readonly (readonly [tfl.LayersModel, string])[]) {}

  /** Throws a {@link ConfigError} the first time the active backend lacks a kernel; O(1) once it passed. */
  check(): void {
    const backend = activeBackend();
    if (this.passed.has(backend)) return;
    for (const [network, argument] of this.networks) assertKernelsAvailable(network, argument);
    this.passed.add(backend);
  }
}
