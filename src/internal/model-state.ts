import { StateError } from '../errors';
import type { SeedStream } from '../random';
import { describe } from './shapes';

/** Checks a saved model state's format and version, and returns it as a record of its fields. */
export function checkStateHeader(state: unknown, format: string): Record<string, unknown> {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new StateError('state', `a saved model state ('${format}')`, describe(state));
  }
  const s = state as Record<string, unknown>;
  if (s['format'] !== format) throw new StateError('state.format', `'${format}'`, describe(s['format']));
  if (s['version'] !== 1) {
    throw new StateError(
      'state.version',
      '1',
      describe(s['version']),
      'The state was saved by another version of tfjs-generative.',
    );
  }
  return s;
}

/** A count of steps or draws: an integer >= 0. */
export function checkCount(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StateError(path, 'an integer >= 0', describe(value));
  }
  return value;
}

/** A seed stream's position `[seed, draws]`. */
export function checkStream(value: unknown, path: string): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !Number.isSafeInteger(value[0])) {
    throw new StateError(path, '[seed, draws], safe integers', describe(value));
  }
  return [value[0], checkCount(value[1], `${path}[1]`)];
}

/** A seed stream's position, to save. */
export function streamState(stream: SeedStream): [number, number] {
  return [stream.seed, stream.draws];
}
