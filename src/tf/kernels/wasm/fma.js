// Rewrites the exported GEMM micro-kernel `micro` of a wasm text file (wasm2wat output) so that each
// `acc = acc + s*b` (local.get acc … f32x4.mul f32x4.add local.set acc) becomes one
// f32x4.relaxed_madd (s*b + acc). clang-14 cannot emit the final relaxed-SIMD opcodes itself.
// Only `micro` (the GEMM inner loop) changes; every other kernel keeps separate mul and add.
// Usage: node fma.js in.wat out.wat rows   (rows = the micro-kernel height MR: 2·MR rewrites)
const fs = require("node:fs");
const [src, dst, rows] = process.argv.slice(2);
const lines = fs.readFileSync(src, "utf8").split("\n");
const m = /\(export "micro" \(func (\d+)\)\)/.exec(lines.join("\n"));
if (!m) throw new Error("micro is not exported");
const start = lines.findIndex((l) => l.startsWith(`  (func (;${m[1]};)`));
let end = start + 1;
while (end < lines.length && !lines[end].startsWith("  (func") && !lines[end].startsWith("  (export")) end++;
const body = lines.slice(start, end);
let rewrites = 0;
for (let i = 0; i + 2 < body.length; i++) {
  const set = /^(\s*)local\.set (\d+)$/.exec(body[i + 2]);
  if (body[i].trim() !== "f32x4.mul" || body[i + 1].trim() !== "f32x4.add" || !set) continue;
  const n = set[2];
  let j = i - 1;
  while (j > 0 && body[j].trim() !== `local.get ${n}`) {
    if (new RegExp(`^local\\.(set|tee) ${n}$`).test(body[j].trim()))
      throw new Error(`local ${n} written before its add`);
    j--;
  }
  if (j <= 0) throw new Error(`no accumulator load for local ${n}`);
  const indent = /^(\s*)/.exec(body[i])[1];
  body.splice(i, 2, `${indent}local.get ${n}`, `${indent}f32x4.relaxed_madd`);
  body.splice(j, 1);
  rewrites++;
}
if (rewrites !== 2 * Number(rows))
  throw new Error(`expected ${2 * rows} multiply-adds in micro, rewrote ${rewrites}`);
fs.writeFileSync(dst, [...lines.slice(0, start), ...body, ...lines.slice(end)].join("\n"));
