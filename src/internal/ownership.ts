import { ConfigError } from '../errors';

// Which model owns each network and optimizer. A part trained by two models would take both models' updates, and
// disposing one model would free the other's weights: both are refused when the second model is built.
const owners = new WeakMap<object, string>();

/**
 * Records `owner` as the owner of each part, or throws a ConfigError naming the first part that another live model
 * already owns (nothing is recorded then).
 *
 * @param parts - `[part, argument]` pairs, e.g. `[generator, 'networks.generator']`
 * @param owner - a description of the new owner, e.g. `a GAN`
 */
export function claimParts(parts: readonly (readonly [object, string])[], owner: string): void {
  for (const [part, argument] of parts) {
    const current = owners.get(part);
    if (current !== undefined) {
      throw new ConfigError(
        argument,
        'a network or optimizer that no other model owns',
        `one owned by ${current}`,
        'Build a new one for each model; a model trains, and disposes, what it is given.',
      );
    }
  }
  for (const [part] of parts) owners.set(part, owner);
}

/** Releases the parts, when their model is disposed or its construction fails. */
export function releaseParts(parts: readonly object[]): void {
  for (const part of parts) owners.delete(part);
}

/**
 * Records the parts a model built for itself as its own, so that giving one of them (`gan.generator`) to a second
 * model is refused while the first lives, as for given parts. Parts already recorded (the given ones) are skipped.
 */
export function claimBuilt(parts: readonly object[], owner: string): void {
  for (const part of parts) if (!owners.has(part)) owners.set(part, owner);
}
