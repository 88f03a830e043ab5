import type * as tf from '@tensorflow/tfjs-core';
import { requireStock, type KernelPatch } from './kernel-patch';

interface RefCounting {
  incRef(dataId: object): void;
}

/**
 * `Identity` (`tf.clone`, and the copies tfjs makes around custom gradients) without the copy: the stock wasm
 * kernel duplicates the whole buffer, about 40 times per DCGAN step. tfjs tensors are immutable, so the output can
 * share the input's buffer under a reference count, as the stock wasm `Reshape` and the cpu backend's `Identity` do.
 * String tensors go to the stock kernel unchanged.
 */
export const identityPatch: KernelPatch = {
  kernelName: 'Identity',
  create: (maybeStock) => {
    const stock = requireStock(maybeStock, 'Identity');
    return (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      if (x.dtype === 'string') return stock.kernelFunc(args);
      (args.backend as unknown as RefCounting).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    };
  },
};
