/**
 * `clipdown export web`: a self-contained static folder that classifies images in the browser —
 * index.html, the tfjs bundles and wasm binaries copied from node_modules, the bundled clipdown code
 * (bundle.ts), the run's weights (model.json + weights.bin) and its tokenizer. Serve it with any
 * static file server; nothing is fetched from elsewhere.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadRunForEval } from "../../eval/load-run";
import { initBackend } from "../../tf";
import type { WebManifest } from "./app";
import { bundleWebApp } from "./bundle";

/** The tfjs files the page loads, by package. */
const TFJS_FILES: Record<string, string[]> = {
  "@tensorflow/tfjs-core": ["dist/tf-core.min.js"],
  "@tensorflow/tfjs-backend-cpu": ["dist/tf-backend-cpu.min.js"],
  "@tensorflow/tfjs-backend-wasm": [
    "dist/tf-backend-wasm.min.js",
    "dist/tfjs-backend-wasm.wasm",
    "dist/tfjs-backend-wasm-simd.wasm",
    "dist/tfjs-backend-wasm-threaded-simd.wasm",
  ],
};

export interface ExportWebOptions {
  out: string;
  labels: string[];
  templates: string[];
  dataDir?: string;
}

/** Writes the demo folder; returns the files written (relative to `out`). */
export async function exportWeb(checkpointArg: string, o: ExportWebOptions): Promise<string[]> {
  await initBackend();
  const run = loadRunForEval(checkpointArg, o.dataDir ? { dataDir: o.dataDir } : {});
  try {
    if (!run.tokenizer || !run.hasTextTower)
      throw new Error(
        `${run.checkpoint} has no text tower (strategy ${run.meta.strategy}); the demo classifies with text prompts`,
      );
    fs.mkdirSync(path.join(o.out, "tfjs"), { recursive: true });
    const written: string[] = [];
    const write = (rel: string, data: string | Uint8Array) => {
      fs.writeFileSync(path.join(o.out, rel), data);
      written.push(rel);
    };
    for (const [pkg, files] of Object.entries(TFJS_FILES)) {
      const root = path.dirname(require.resolve(`${pkg}/package.json`));
      for (const f of files) {
        fs.copyFileSync(path.join(root, f), path.join(o.out, "tfjs", path.basename(f)));
        written.push(`tfjs/${path.basename(f)}`);
      }
    }
    // Weights: every parameter and buffer the model has, as loaded (and checked) by eval's loader.
    const tensors: WebManifest["tensors"] = [];
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const [group, vars] of [
      ["param", run.model.params],
      ["buffer", run.model.buffers],
    ] as const) {
      for (const [name, v] of Object.entries(vars)) {
        const dtype = v.dtype === "int32" ? "int32" : "float32";
        const data = dtype === "int32" ? Int32Array.from(await v.data()) : Float32Array.from(await v.data());
        tensors.push({ group, name, shape: v.shape, dtype, offset });
        chunks.push(new Uint8Array(data.buffer));
        offset += data.byteLength;
      }
    }
    write("weights.bin", Buffer.concat(chunks));
    const manifest: WebManifest = {
      format: "clipdown-web-v1",
      model: run.config.model,
      imageSize: run.config.imageSize,
      contextLength: run.config.contextLength,
      vocabSize: run.tokenizer.vocabSize,
      checkpoint: path.relative(process.cwd(), path.resolve(run.checkpoint)),
      labels: o.labels,
      templates: o.templates,
      tensors,
    };
    write("model.json", `${JSON.stringify(manifest, null, 1)}\n`);
    write("tokenizer.json", JSON.stringify(run.tokenizer.toJSON()));
    write("clipdown.js", bundleWebApp());
    write("index.html", fs.readFileSync(path.join(__dirname, "index.html")));
    return written;
  } finally {
    run.dispose();
  }
}
