import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll } from 'vitest';

// tfjs announces some backend events once; anything else printed while the library runs is a bug.
const allowed = [/already registered/i, /running TensorFlow.js in Node.js/i, /Platform node has already been set/i];
for (const level of ['log', 'info', 'warn', 'error'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (allowed.some((re) => re.test(text))) return;
    original(...args);
    throw new Error(`unexpected console.${level}: ${text}`);
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});
