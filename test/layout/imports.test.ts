/**
 * The module boundaries of DESIGN.md, checked on the sources: every `@tensorflow/*` import is in
 * src/tf, and the generic sweep engine (src/sweep) imports nothing of the layers above it.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

const SRC = path.resolve(__dirname, "..", "..", "src");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Every module specifier a file imports or requires (static, dynamic and `export … from`). */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const re = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["']([^"']+)["']/g;
  return [...text.matchAll(re)].map((m) => m[1]!);
}

/** The top folder under src/ that a relative specifier of `file` lands in, or undefined for a package. */
function srcFolder(file: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const rel = path.relative(SRC, path.resolve(path.dirname(file), spec));
  return rel.split(path.sep)[0];
}

test("only src/tf imports @tensorflow", () => {
  const offenders = sources(SRC)
    .filter((f) => !f.startsWith(path.join(SRC, "tf") + path.sep))
    .flatMap((f) =>
      specifiers(f)
        .filter((s) => s.startsWith("@tensorflow/"))
        .map((s) => `${path.relative(SRC, f)}: ${s}`),
    );
  assert.deepEqual(offenders, []);
});

test("src/sweep imports only node, itself and src/util", () => {
  const offenders = sources(path.join(SRC, "sweep")).flatMap((f) =>
    specifiers(f)
      .filter((s) =>
        s.startsWith(".") ? !["sweep", "util"].includes(srcFolder(f, s)!) : !s.startsWith("node:"),
      )
      .map((s) => `${path.relative(SRC, f)}: ${s}`),
  );
  assert.deepEqual(offenders, []);
});

test("nothing below src/papers imports it, and src/runs is imported only by papers", () => {
  const below = ["tf", "data", "text", "models", "augment", "strategies", "train", "eval", "sweep", "runs"];
  const offenders: string[] = [];
  for (const folder of below) {
    for (const f of sources(path.join(SRC, folder))) {
      for (const s of specifiers(f)) {
        const to = srcFolder(f, s);
        if (to === "papers" || (to === "runs" && folder !== "runs"))
          offenders.push(`${path.relative(SRC, f)}: ${s}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test("the trainer knows no dataset: src/train imports src/eval only in its CLI entry", () => {
  const offenders = sources(path.join(SRC, "train"))
    .filter((f) => path.basename(f) !== "cli.ts")
    .flatMap((f) =>
      specifiers(f)
        .filter((s) => srcFolder(f, s) === "eval")
        .map((s) => `${path.relative(SRC, f)}: ${s}`),
    );
  assert.deepEqual(offenders, []);
});

test("the CLI's one-line summary of `train` names every strategy", async () => {
  const { STRATEGY_NAMES } = await import("../../src/strategies");
  const text = fs.readFileSync(path.join(SRC, "cli.ts"), "utf8");
  const m = /train a model preset with a strategy \(([^)]*)\)/.exec(text);
  assert.ok(m, "src/cli.ts has the train summary");
  assert.deepEqual(m[1]!.split(", "), STRATEGY_NAMES);
});
