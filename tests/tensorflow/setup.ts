import { tfjsNodeMissing, TFJS_NODE } from '../helpers/tensorflow';

// Loads tfjs-node once per test file, only when it is installed (see tests/helpers/tensorflow.ts). Its import
// registers the `tensorflow` backend and makes it active; tests/setup.ts has already made cpu active for the
// file, and each block of this tier picks its backend itself (describeOnTensorflow), so the file default stays cpu.
if (tfjsNodeMissing() === null) {
  // libtensorflow's C++ logging (CPU feature notices) goes straight to stderr; keep warnings and errors only.
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
  const specifier = TFJS_NODE; // a variable, so typecheck passes where tfjs-node is not installed
  await import(specifier);
}
