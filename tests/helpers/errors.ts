import type { GenerativeError } from '../../src';

/** The error `fn` throws; fails the test when it returns normally. */
export function caught(fn: () => unknown): GenerativeError {
  try {
    fn();
  } catch (e) {
    return e as GenerativeError;
  }
  throw new Error('expected a throw');
}

/** The error `p` rejects with; fails the test when it resolves. */
export async function rejected(p: Promise<unknown>): Promise<GenerativeError> {
  try {
    await p;
  } catch (e) {
    return e as GenerativeError;
  }
  throw new Error('expected a rejection');
}
