#!/bin/sh
# Bundles the training-step benchmark into one folder that runs with a bare `node` (18 or later), for a machine that
# has no npm registry or node_modules: train-step.mjs and overhead.mjs (each with the library and tfjs in one file), the
# wasm binaries beside them (tfjs-backend-wasm looks for them next to the script) and bench/torch_bench.py.
#
#   npm run bench:bundle [-- OUT_DIR]         # default out/bench-bundle
#   node OUT_DIR/train-step.mjs --model vae --backend wasm --kernels patched --json
#   taskset -c 0,1 node OUT_DIR/train-step.mjs ...  # two cores of a larger machine, as on the 2-core one
#
# tfjs-node stays outside (the tensorflow rows say "not installed"). The cpu backend is kept although its package
# marks its registering import as side-effect free.
set -eu
out=${1:-out/bench-bundle}
mkdir -p "$out"
npx esbuild bench/train-step.ts bench/overhead.ts --bundle --platform=node --format=esm --target=node18 --ignore-annotations \
  --external:@tensorflow/tfjs-node --log-level=error --outdir="$out" --out-extension:.js=.mjs \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm bench/torch_bench.py "$out/"
echo "$out: $(du -sh "$out" | cut -f1)"
