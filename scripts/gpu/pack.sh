#!/usr/bin/env bash
# Packs, into .gpu/ (ignored by git), what scripts/gpu/bench.sh needs on a GPU machine that has no Node.js,
# no package registry and no ../shared/data (the device machines this project is sometimes lent): Node.js
# itself (xz), the command line bundled into one file with its WebAssembly binaries, Dawn for Node (the
# `webgpu` package's Linux build), and the two datasets the GPU figures use: .gpu/pack.tar.xz and .gpu/data,
# about 30 MB together (the device's carry limit is 64 MiB, the Vulkan loaders included).
#
#   bash scripts/gpu/pack.sh        then carry .gpu (and .gl, the Vulkan loader: see the README) to the machine
set -euo pipefail
cd "$(dirname "$0")/../.."

rm -rf .gpu
stage=$(mktemp -d)
mkdir -p "$stage/cli/node_modules/webgpu/dist/linux-x64" .gpu/data
cp "$(command -v node)" "$stage/node"

# The CLI as one ES module. tfjs-backend-wasm finds its .wasm files beside the module (__dirname), so they
# are copied there; `webgpu` stays a package of its own (it loads a native addon).
npx esbuild src/cli/scgnn.ts --bundle --platform=node --format=esm --target=node20 --log-level=error \
  --outfile="$stage/cli/scgnn.mjs" --external:webgpu \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
# The synthetic data generator the same way (issue 12's 100,000-cell run is generated on the machine: smaller
# than carrying it).
npx esbuild scripts/make-synthetic.ts --bundle --platform=node --format=esm --target=node20 --log-level=error \
  --outfile="$stage/cli/make-synthetic.mjs" \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$stage/cli/"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$stage/cli/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$stage/cli/node_modules/webgpu/dist/linux-x64/"
tar -C "$stage" -cJf .gpu/pack.tar.xz node cli
rm -rf "$stage"

for d in mouse_brain_10x_10k_subset_unlabeled pbmc4k_10x_top2000; do
  mkdir -p ".gpu/data/$d"
  cp "../shared/data/$d/counts.csv.gz" ".gpu/data/$d/"
  if [ -f "../shared/data/$d/labels.csv" ]; then cp "../shared/data/$d/labels.csv" ".gpu/data/$d/"; fi
done
du -sh .gpu
