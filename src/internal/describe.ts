import * as tf from '@tensorflow/tfjs-core';

/**
 * A short description of any value for an error's `received` field. It never throws, whatever it is given (a bigint,
 * a symbol, an object without a prototype or with a throwing `toString`), so a check always gets to throw the typed
 * error it meant to.
 */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n (a bigint)`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
  }
  if (value instanceof tf.Tensor) {
    const shape = `[${value.shape.join(', ')}]`;
    return value.isDisposed ? `a disposed tensor of shape ${shape}` : `a ${value.dtype} tensor of shape ${shape}`;
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
  if (proto === null || Object.getPrototypeOf(proto) === null) return 'an object';
  const name = proto.constructor?.name;
  return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object';
}
