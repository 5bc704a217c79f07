#!/usr/bin/env bash
# GPU check and figures for the webgpu backend (issue 20), for an NVIDIA machine:
#   bash bench/gpu.sh [OUT_DIR]          (needs `npm ci` and `npx clipdown data build --only pictograms`)
# 1. finds the NVIDIA driver and a Vulkan ICD for it, writing one to a temporary VK_ICD_FILENAMES when
#    the driver's libraries exist but no ICD json does (containers often lack it);
# 2. prints the adapter clipdown sees (`clipdown info --json` with CLIPDOWN_BACKEND=webgpu);
# 3. measures training samples/s of vit-ti/8, vit-b/8 and rn-m at batch 256 and 1024 on webgpu and
#    wasm (a short run each; the figure is the median samples_per_s of its logged steps) and writes
#    OUT_DIR/gpu.json. On a machine without a GPU it says so and stops after step 2.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-bench/results}"
mkdir -p "$OUT"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  echo "nvidia-smi not found: no NVIDIA driver on this machine"
fi
icds=$(ls /usr/share/vulkan/icd.d/*nvidia* /etc/vulkan/icd.d/*nvidia* 2>/dev/null)
if [ -z "$icds" ] && [ -z "${VK_ICD_FILENAMES:-}" ]; then
  for lib in libGLX_nvidia.so.0 libEGL_nvidia.so.0; do
    if ldconfig -p 2>/dev/null | grep -q "$lib"; then
      icd=$(mktemp --suffix=.json)
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$lib" >"$icd"
      export VK_ICD_FILENAMES="$icd"
      echo "no NVIDIA Vulkan ICD installed: wrote $icd pointing at $lib"
      break
    fi
  done
fi
echo "Vulkan ICDs: ${VK_ICD_FILENAMES:-$icds}"
info=$(CLIPDOWN_BACKEND=webgpu node bin/clipdown.js info --json 2>/dev/null)
echo "$info" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const i=JSON.parse(s);console.log("webgpu adapter:",JSON.stringify(i.adapter))}catch{console.log("webgpu: not available")}})'
if ! echo "$info" | grep -q '"software": false'; then
  echo "no hardware WebGPU adapter: no GPU figures (the parity tests cover correctness on lavapipe)"
  exit 0
fi
results="[]"
for backend in webgpu wasm; do
  for model in vit-ti/8 vit-b/8 rn-m; do
    for batch in 256 1024; do
      run="$(mktemp -d)"
      CLIPDOWN_BACKEND=$backend timeout 600 node bin/clipdown.js train --model "$model" --batch "$batch" \
        --samples $((batch * 12)) --log-every 2 --eval-size 0 --out "$run" --quiet >/dev/null 2>&1
      sps=$(node -e 'const r=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse).filter(x=>x.samples_per_s).map(x=>x.samples_per_s).slice(1).sort((a,b)=>a-b);console.log(r.length?r[r.length>>1].toFixed(1):"null")' "$run/metrics.jsonl" 2>/dev/null || echo null)
      echo "$backend $model batch $batch: $sps samples/s"
      results=$(node -e 'const a=JSON.parse(process.argv[1]);a.push({backend:process.argv[2],model:process.argv[3],batch:+process.argv[4],samplesPerSecond:process.argv[5]==="null"?null:+process.argv[5]});console.log(JSON.stringify(a))' "$results" "$backend" "$model" "$batch" "$sps")
      rm -rf "$run"
    done
  done
done
echo "{\"loadavg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"adapter\":$(echo "$info" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(JSON.parse(s).adapter)))'),\"runs\":$results}" >"$OUT/gpu.json"
echo "wrote $OUT/gpu.json"
