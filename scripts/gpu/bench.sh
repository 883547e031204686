#!/usr/bin/env bash
# Every GPU figure the issues ask for, on a machine with an NVIDIA GPU:
#   1. the command line on WebGPU (Dawn): the default run of the 10,000-cell dataset end to end (the goal: at
#      most 60 s) and the published protocol (`eval`, labels) on pbmc4k_10x_top2000, seconds per stage;
#   2. the page in headless Chromium on the GPU through Vulkan against the CLI (`npm run bench:browser`), for
#      the same two datasets, where Chromium and the repository's node_modules are there;
#   3. issue 12's scale run: 100,000 synthetic cells x 2,000 genes (made on the machine by make:synthetic), the
#      CLI default (`eval --dropout 0`, labels) on WebGPU, seconds per stage, peak memory and ARI.
# STEPS picks the steps (default "1 2 3"); steps 1-2 take under 10 minutes, step 3 up to 7: where one call may
# run 10 minutes, run `STEPS="1 2"` and then `STEPS=3`.
# It runs from a normal checkout (npm ci done, ../shared/data beside it) or from the pack of
# scripts/gpu/pack.sh (.gpu/: Node.js, the bundled CLI, Dawn, the data) on a machine with neither.
# Results go to stdout and, as manifests and logs, to $OUT (default /tmp/gpu-bench).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/gpu-bench}
mkdir -p "$OUT"
BRAIN=mouse_brain_10x_10k_subset_unlabeled
PBMC=pbmc4k_10x_top2000

echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: none"
nproc

if [ -f .gpu/pack.tar.xz ]; then
  mkdir -p /tmp/gpu-pack && tar -C /tmp/gpu-pack -xJf .gpu/pack.tar.xz
  NODE=/tmp/gpu-pack/node
  CLI=("$NODE" /tmp/gpu-pack/cli/scgnn.mjs)
  DATA=.gpu/data
else
  NODE=node
  CLI=(npx tsx src/cli/scgnn.ts)
  DATA=../shared/data
fi

echo "== Vulkan"
if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  echo "no Vulkan loader (libvulkan.so.1): Dawn and Chromium cannot reach the GPU. Install libvulkan1 (see the README, 'GPU figures')."
fi
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
  /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then
    export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
    echo "NVIDIA ICD: $icd"
    break
  fi
done

summary() { # manifest.json -> one line of seconds per stage
  "$NODE" -e '
    const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const s = Object.entries(m.seconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
    console.log(`${m.environment.backend} (${m.environment.adapter}): ${m.result.nClusters} clusters; seconds: ${s}`);
  ' "$1"
}

STEPS=${STEPS:-1 2 3}
step() { [[ " $STEPS " == *" $1 "* ]]; }

if step 1; then
echo "== 1. CLI on WebGPU: $BRAIN (default run, end to end)"
t0=$SECONDS
timeout 240 "${CLI[@]}" run "$DATA/$BRAIN/counts.csv.gz" --backend webgpu --out "$OUT/brain" --seed 1 \
  >"$OUT/brain.log" 2>&1
echo "exit $? after $((SECONDS - t0)) s (whole command)"
tail -n 3 "$OUT/brain.log"
[ -f "$OUT/brain/manifest.json" ] && summary "$OUT/brain/manifest.json"

echo "== 1. CLI on WebGPU: $PBMC (eval, 10 % dropout)"
t0=$SECONDS
timeout 200 "${CLI[@]}" eval "$DATA/$PBMC/counts.csv.gz" --labels "$DATA/$PBMC/labels.csv" --backend webgpu \
  --seed 1 >"$OUT/pbmc-eval.json" 2>"$OUT/pbmc-eval.log"
echo "exit $? after $((SECONDS - t0)) s (whole command)"
tail -n 1 "$OUT/pbmc-eval.json"

fi

if step 2; then
echo "== 2. the page in Chromium on the GPU"
if [ -d node_modules/@playwright/test ] && command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null; then
  flags="--enable-features=Vulkan,VulkanFromANGLE --use-angle=vulkan --ignore-gpu-blocklist"
  for d in "$BRAIN" "$PBMC"; do
    timeout 200 npm run -s bench:browser -- "$d" --cli-backend webgpu --chromium-flags "$flags" \
      --json "$OUT/page-$d.json" 2>&1 | tail -n 20
  done
else
  echo "skipped: no Chromium or no node_modules here (the pack carries the CLI only)"
fi
fi

if step 3; then
  echo "== 3. CLI on WebGPU: 100,000 synthetic cells x 2,000 genes (eval --dropout 0)"
  if [ -f /tmp/gpu-pack/cli/make-synthetic.mjs ]; then
    GEN=("$NODE" /tmp/gpu-pack/cli/make-synthetic.mjs)
  else
    GEN=(npx tsx scripts/make-synthetic.ts)
  fi
  SYN="$OUT/synthetic-100k"
  t0=$SECONDS
  "${GEN[@]}" --cells 100000 --genes 2000 --types 12 --seed 1 --out "$SYN" >"$OUT/synthetic.log" 2>&1 ||
    echo "make:synthetic failed (see $OUT/synthetic.log)"
  echo "generated in $((SECONDS - t0)) s"
  t0=$SECONDS
  timeout 420 "${CLI[@]}" eval "$SYN/filtered_feature_bc_matrix" --labels "$SYN/labels.csv" --dropout 0 \
    --backend webgpu --seed 1 >"$OUT/synthetic-100k.json" 2>"$OUT/synthetic-100k.log"
  echo "exit $? after $((SECONDS - t0)) s (whole command)"
  tail -n 1 "$OUT/synthetic-100k.json"
  grep 'done in' "$OUT/synthetic-100k.log" | tail -n 20
  rm -rf "$SYN"
fi
