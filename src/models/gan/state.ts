import type { NetworkState } from '../../internal/network-state';
import type { OptimizerState } from '../../internal/optimizer-state';
import type { TensorState } from '../../internal/tensor-state';

/**
 * Everything a {@link GAN} holds that training changes, as plain numbers and typed arrays: both networks' weights
 * (batch-norm statistics included) and dropout positions, both optimizers' slots and iteration counts, the seed
 * streams and the step count. Store it with `encodeState`; restore it with `GAN.setState` into a GAN built
 * with the same config and architectures.
 *
 * @example
 * ```ts
 * const state: GANState = await gan.getState();
 * const again = new GAN({ seed: 1 });
 * again.setState(decodeState<GANState>(encodeState(state)));
 * ```
 * @group Models
 */
export interface GANState {
  /** What kind of state this is; `GAN.setState` refuses any other. */
  readonly format: 'tfjs-generative/gan';
  /** The layout's version; a later library that changes the layout reads older versions or refuses them clearly. */
  readonly version: 1;
  /** Training steps completed. */
  readonly steps: number;
  /** The generator's weights and dropout positions. */
  readonly generator: NetworkState;
  /** The discriminator's weights and dropout positions. */
  readonly discriminator: NetworkState;
  /** The generator's optimizer: slots and iteration count. */
  readonly generatorOptimizer: OptimizerState;
  /** The discriminator's optimizer: slots and iteration count. */
  readonly discriminatorOptimizer: OptimizerState;
  /** The averaged generator weights (`config.ema`), in `generator.weights` order; null when the GAN keeps none. */
  readonly ema: readonly TensorState[] | null;
  /** The random streams, each as `[seed, draws]`. */
  readonly seeds: {
    /** The noise z of training steps. */
    readonly noise: readonly [number, number];
    /** The noise of {@link GAN.sample} calls without a seed. */
    readonly sample: readonly [number, number];
    /** The seeds an objective's terms read (WGAN-GP's interpolation weights). */
    readonly terms: readonly [number, number];
  };
}
