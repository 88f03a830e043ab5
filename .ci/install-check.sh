#!/usr/bin/env bash
# Installs the packed library into fresh projects, as a user would, and runs the README tour in each (3 steps):
# ESM and CommonJS with the peers alone, ESM with the umbrella @tensorflow/tfjs, and a strict TypeScript check.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ "${SKIP_BUILD:-0}" = 1 ] || npm run build >/dev/null
tarball=$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)
tfjs=4.22.0
peers="@tensorflow/tfjs-core@$tfjs @tensorflow/tfjs-layers@$tfjs @tensorflow/tfjs-backend-wasm@$tfjs"

project() { # name, type (module|commonjs), packages...
  local dir=$work/$1 type=$2
  shift 2
  mkdir -p "$dir"
  printf '{ "name": "%s", "private": true, "type": "%s" }\n' "$(basename "$dir")" "$type" >"$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tarball" "$@" >/dev/null)
  echo "$dir"
}

# Runs a tour script in its project and checks the line it prints. (Not `tee /dev/stderr`: when stderr is a file,
# reopening it truncates the caller's log.)
expect_tour() {
  local out
  out=$(cd "$1" && node "$2")
  echo "$out"
  grep -q '^ok wasm 3 steps, grid 302x302x1$' <<<"$out"
}

# The README's tour with 3 steps on random images; prints a line the caller checks.
tour_esm() {
  cat <<'JS'
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { GAN, Trainer, imageGrid } from 'tfjs-generative';
import { installWasmTrainingKernels } from 'tfjs-generative/wasm';
await tf.setBackend('wasm');
installWasmTrainingKernels();
const images = tf.randomUniform([128, 784], -1, 1);
const gan = new GAN({ seed: 1 });
const history = await new Trainer(gan).fit(images, { batchSize: 64, steps: 3, seed: 1 });
const grid = tf.tidy(() => imageGrid(gan.sample(100, { seed: 1 }), { imageShape: [28, 28] }));
console.log(`ok ${tf.getBackend()} ${history.steps.length} steps, grid ${grid.shape.join('x')}`);
JS
}

echo "== ESM, peers only"
dir=$(project esm module $peers)
tour_esm >"$dir/tour.mjs"
expect_tour "$dir" tour.mjs

echo "== CommonJS, peers only (the README's CommonJS block)"
dir=$(project cjs commonjs $peers)
node -e '
  const md = require("fs").readFileSync(process.argv[1], "utf8");
  const code = md.match(/```js\n(const tf = require[\s\S]*?)```/)[1]
    .replace(/steps: \d+/, "steps: 3")
    .replace(/^main\(\);$/m, "main().then(({ history, grid }) => console.log(`ok ${tf.getBackend()} ${history.steps.length} steps, grid ${grid.shape.join(\"x\")}`));");
  process.stdout.write(code);
' "$root/README.md" >"$dir/tour.cjs"
expect_tour "$dir" tour.cjs

echo "== ESM with the umbrella @tensorflow/tfjs (and wasm beside it)"
dir=$(project umbrella module "@tensorflow/tfjs@$tfjs" "@tensorflow/tfjs-backend-wasm@$tfjs")
tour_esm >"$dir/tour.mjs"
expect_tour "$dir" tour.mjs
test "$(cd "$dir" && npm ls @tensorflow/tfjs-core --parseable | sort -u | wc -l)" = 1 # one tfjs-core

echo "== TypeScript --strict (with skipLibCheck), ESM and CommonJS resolution"
dir=$(project typescript module $peers)
tour_esm >"$dir/tour.ts"
sed 's/^await /void /' "$dir/tour.ts" | grep -v '^const history\|^console.log' >"$dir/tour.cts" # CommonJS types
for file in tour.ts tour.cts; do
  (cd "$dir" && "$root/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck --target es2022 --module nodenext \
    --moduleResolution nodenext --types node --typeRoots "$root/node_modules/@types" "$file")
done
echo "install check: all four projects passed"
