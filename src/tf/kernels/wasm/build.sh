#!/usr/bin/env bash
# Builds fused.wasm from fused.c with Debian's clang-14 + lld-14 (apt-get install clang-14 lld-14).
# The committed fused.wasm is what runs; test/tf/fused-build.test.ts rebuilds it and checks the bytes
# match, so the binary never drifts from its source. Usage: build.sh [output path]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/fused.wasm}"
CLANG="${CLANG:-clang-14}"
LLD="${WASM_LD:-$(command -v wasm-ld-14 || command -v wasm-ld)}"
# -fno-builtin/-nostdlib: no libc; --import-memory: run on the tfjs heap; no --export-all, only
# the functions marked EXPORT; -ffp-contract=off keeps a*b+c as two roundings like tfjs's ops.
"$CLANG" --target=wasm32 -O3 -msimd128 -ffp-contract=off -fno-builtin -nostdlib \
  -fuse-ld="$LLD" -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all \
  -o "$out" "$here/fused.c"
# The module shares tfjs's memory: it must not carry a data section (it would overwrite tfjs's heap
# at instantiation) nor use the C stack (its pointer is a fixed address inside tfjs's heap).
node -e '
const b = require("fs").readFileSync(process.argv[1]);
const m = new WebAssembly.Module(b);
let p = 8;
while (p < b.length) {
  const id = b[p++]; let size = 0, shift = 0, x;
  do { x = b[p++]; size |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
  if (id === 11) { console.error("fused.wasm has a data section: remove static data from fused.c"); process.exit(1); }
  p += size;
}
const imports = WebAssembly.Module.imports(m).map((i) => i.module + "." + i.name);
if (imports.join() !== "env.memory") { console.error("unexpected imports: " + imports); process.exit(1); }
' "$out"
if command -v wasm2wat >/dev/null && wasm2wat "$out" | grep -qE "global\.(get|set) 0"; then
  echo "fused.wasm moves the C stack pointer: remove stack arrays/address-taken locals from fused.c" >&2
  exit 1
fi
echo "built $out ($(wc -c <"$out") bytes)"
