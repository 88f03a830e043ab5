import { tfjsNodeMissing } from './availability';

// Runs once per `vitest run` that includes this tier, in the main process, so the reason for a skip is printed
// exactly once and outside any test's console checks.
export default function setup(): void {
  const missing = tfjsNodeMissing();
  if (missing !== null) console.log(`\n[tensorflow tier] SKIPPED: ${missing}\n`);
}
