#!/usr/bin/env bash
# Builds small browser apps on the packed library with Vite, in a fresh project as a user would, and checks that
# tree-shaking works: an app that imports only the losses carries none of the models, the Trainer or the
# architectures. Runs each bundle in headless Chromium when /usr/bin/chromium exists (CI_REQUIRE_BROWSER=1: it must)
# and prints each app's size, whole and without tfjs (the library's own share). .ci/bundle-check.mjs holds the apps,
# the markers and the table.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ "${SKIP_BUILD:-0}" = 1 ] || npm run build >/dev/null
tarball=$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)
tfjs=4.22.0

dir=$work/bundle
mkdir -p "$dir"
printf '{ "name": "bundle", "private": true, "type": "module" }\n' >"$dir/package.json"
(cd "$dir" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tarball" vite@8.3.8 \
  "@tensorflow/tfjs-core@$tfjs" "@tensorflow/tfjs-layers@$tfjs" "@tensorflow/tfjs-backend-cpu@$tfjs" >/dev/null)
cp .ci/bundle-check.mjs "$dir/"
(cd "$dir" && node bundle-check.mjs)
