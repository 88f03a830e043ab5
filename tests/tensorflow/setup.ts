import { TFJS_NODE, tfjsNodeMissing } from './availability';

// Loads tfjs-node once per test file, only when it is installed (see tests/helpers/tensorflow.ts). Its import
// registers the `tensorflow` backend and makes it active; tests/setup.ts's beforeAll then makes cpu the file's
// default, as in the unit tier, and each block of this tier picks its backend itself (describeOnTensorflow).
if (tfjsNodeMissing() === null) {
  // libtensorflow's C++ logging (CPU-feature notices, warnings) goes straight to stderr, past the console checks;
  // keep its errors only.
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
  const specifier = TFJS_NODE; // a variable, so typecheck passes where tfjs-node is not installed
  await import(specifier);
}
