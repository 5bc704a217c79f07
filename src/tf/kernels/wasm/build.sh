#!/usr/bin/env bash
# Builds fused.wasm (imports tfjs's memory) and fused-shared.wasm (the same code on a shared memory,
# for the GEMM worker threads) from fused.c, plus their relaxed-SIMD FMA variants fused-fma*.wasm,
# with Debian's clang-14 + lld-14 + wabt (apt-get install clang-14 lld-14 wabt). The committed .wasm files are what runs; the test
# test/tf/wasm-build.test.ts rebuilds them and checks the bytes match, so they never drift from
# their source. Usage: build.sh [output directory]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
CLANG="${CLANG:-clang-14}"
LLD="${WASM_LD:-$(command -v wasm-ld-14 || command -v wasm-ld)}"
# No libc (-nostdlib -fno-builtin); only the functions marked EXPORT are exported;
# -ffp-contract=off keeps a*b+c as two roundings, like the tfjs ops it replaces.
common=(--target=wasm32 -O3 -msimd128 -ffp-contract=off -fno-builtin -nostdlib -fuse-ld="$LLD"
  -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all)
"$CLANG" "${common[@]}" -o "$out/fused.wasm" "$here/fused.c"
"$CLANG" "${common[@]}" -matomics -mbulk-memory -Wl,--shared-memory -Wl,--max-memory=4294967296 \
  -o "$out/fused-shared.wasm" "$here/fused.c"
# FMA variants: the GEMM micro-kernel's multiply-adds become relaxed-SIMD f32x4.relaxed_madd
# (fma.js), ~35% faster matmuls where the engine supports relaxed SIMD. clang-14 only knows the
# pre-standard relaxed-SIMD opcodes, hence the text round trip through wabt.
WASM2WAT="${WASM2WAT:-wasm2wat}"
WAT2WASM="${WAT2WASM:-wat2wasm}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for v in fused fused-shared; do
  "$WASM2WAT" --enable-threads "$out/$v.wasm" -o "$tmp/$v.wat"
  node "$here/fma.js" "$tmp/$v.wat" "$tmp/$v-fma.wat" 4
  "$WAT2WASM" --enable-threads --enable-relaxed-simd "$tmp/$v-fma.wat" -o "$out/${v/fused/fused-fma}.wasm"
done
# The modules run on memory they do not own (tfjs's heap, or the worker pool's): they must not
# carry a data section (it would be written over that memory at instantiation) nor use the C stack
# (its pointer is a fixed address inside that memory).
for f in "$out"/fused.wasm "$out"/fused-shared.wasm "$out"/fused-fma.wasm "$out"/fused-fma-shared.wasm; do
  node -e '
require("v8").setFlagsFromString("--experimental-wasm-relaxed-simd");
const b = require("fs").readFileSync(process.argv[1]);
const m = new WebAssembly.Module(b);
let p = 8;
while (p < b.length) {
  const id = b[p++]; let size = 0, shift = 0, x;
  do { x = b[p++]; size |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
  if (id === 11) { console.error(process.argv[1] + " has a data section: remove static data from fused.c"); process.exit(1); }
  p += size;
}
const imports = WebAssembly.Module.imports(m).map((i) => i.module + "." + i.name);
if (imports.join() !== "env.memory") { console.error("unexpected imports: " + imports); process.exit(1); }
' "$f"
  if "$WASM2WAT" --enable-threads --enable-relaxed-simd "$f" | grep -qE "global\.(get|set) 0"; then
    echo "$f uses the C stack pointer: remove stack arrays/address-taken locals from fused.c" >&2
    exit 1
  fi
  echo "built $f ($(wc -c <"$f") bytes)"
done
