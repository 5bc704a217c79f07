#!/usr/bin/env bash
# Builds fused.wasm (imports tfjs's memory) and fused-shared.wasm (the same code on a shared memory,
# for the GEMM worker threads) from fused.c with Debian's clang-14 + lld-14
# (apt-get install clang-14 lld-14). The committed .wasm files are what runs; the test
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
# The modules run on memory they do not own (tfjs's heap, or the worker pool's): they must not
# carry a data section (it would be written over that memory at instantiation) nor use the C stack
# (its pointer is a fixed address inside that memory).
for f in "$out/fused.wasm" "$out/fused-shared.wasm"; do
  node -e '
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
  if command -v wasm2wat >/dev/null && wasm2wat --enable-threads "$f" | grep -qE "global\.(get|set) 0"; then
    echo "$f uses the C stack pointer: remove stack arrays/address-taken locals from fused.c" >&2
    exit 1
  fi
  echo "built $f ($(wc -c <"$f") bytes)"
done
