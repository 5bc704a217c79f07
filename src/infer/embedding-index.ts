/**
 * A file of embeddings with what each row is: `clipdown embed` writes one, `clipdown search` ranks
 * its rows against a query. Two layouts: `X.npy` (float32 [n, d], loads with numpy) beside
 * `X.json` ({ kind, checkpoint, model, items, captions? }), or `X.jsonl` (one
 * `{ "item": …, "caption"?: …, "embedding": [...] }` per line after a `{ "kind": … }` header line).
 * Rows are raw embeddings; search normalises them as evaluation does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Emb } from "../eval/embeddings";
import { l2normalize } from "../eval/embeddings";
import { dotRows } from "../eval/retrieval";
import { readNpy, writeNpy } from "./npy";

export interface EmbeddingIndex {
  /** What the rows embed: images (items are file paths) or texts (items are the texts). */
  kind: "image" | "text";
  /** The checkpoint that embedded them. */
  checkpoint: string;
  model: string;
  items: string[];
  /** Each image's caption, when the images came from a CSV manifest. */
  captions?: string[];
  emb: Emb;
}

type Meta = Omit<EmbeddingIndex, "emb">;

/** The sidecar of `X.npy`: `X.json`. */
export function sidecarOf(npyFile: string): string {
  return npyFile.replace(/\.npy$/i, ".json");
}

export function writeIndex(file: string, index: EmbeddingIndex): string[] {
  const { emb, ...meta } = index;
  if (emb.n !== meta.items.length) throw new Error(`${emb.n} embeddings for ${meta.items.length} items`);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (/\.npy$/i.test(file)) {
    writeNpy(file, emb.data, emb.n, emb.d);
    fs.writeFileSync(sidecarOf(file), `${JSON.stringify({ ...meta, dims: emb.d }, null, 1)}\n`);
    return [file, sidecarOf(file)];
  }
  if (/\.jsonl$/i.test(file)) {
    const lines = [
      JSON.stringify({ kind: meta.kind, checkpoint: meta.checkpoint, model: meta.model, dims: emb.d }),
    ];
    meta.items.forEach((item, i) => {
      const row = Array.from(emb.data.subarray(i * emb.d, (i + 1) * emb.d));
      lines.push(
        JSON.stringify({ item, ...(meta.captions ? { caption: meta.captions[i] } : {}), embedding: row }),
      );
    });
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    return [file];
  }
  throw new Error(`--out ${file}: name it .npy (numpy, with a .json sidecar) or .jsonl`);
}

/** Reads an index written by {@link writeIndex}: `X.npy` (with `X.json`), `X.jsonl`, or the stem `X`. */
export function readIndex(arg: string): EmbeddingIndex {
  const file = [arg, `${arg}.npy`, `${arg}.jsonl`].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
  if (!file)
    throw new Error(
      `--index ${arg}: no such file (nor ${arg}.npy, ${arg}.jsonl); make one with clipdown embed`,
    );
  if (/\.npy$/i.test(file)) {
    const side = sidecarOf(file);
    if (!fs.existsSync(side))
      throw new Error(
        `${file} has no ${path.basename(side)} beside it naming its rows; re-run clipdown embed`,
      );
    const meta = JSON.parse(fs.readFileSync(side, "utf8")) as Meta;
    const { data, rows, cols } = readNpy(file);
    if (rows !== meta.items.length)
      throw new Error(`${file} has ${rows} rows but ${side} names ${meta.items.length}`);
    return { ...meta, emb: { data, n: rows, d: cols } };
  }
  const lines = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim());
  const parse = (l: string, i: number) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new Error(`${file}:${i + 1}: not a JSON line`);
    }
  };
  const head = parse(lines[0] ?? "{}", 0) as Meta & { dims: number };
  if (head.kind !== "image" && head.kind !== "text")
    throw new Error(
      `${file}: first line must be the header { "kind": "image" | "text", ... }; re-run clipdown embed`,
    );
  const body = lines
    .slice(1)
    .map((l, i) => parse(l, i + 1) as { item: string; caption?: string; embedding: number[] });
  const d = head.dims;
  const data = new Float32Array(body.length * d);
  body.forEach((r, i) => {
    if (r.embedding?.length !== d)
      throw new Error(`${file}:${i + 2}: embedding has ${r.embedding?.length} values, expected ${d}`);
    data.set(r.embedding, i * d);
  });
  const captions =
    body.every((r) => typeof r.caption === "string") && body.length ? body.map((r) => r.caption!) : undefined;
  return {
    kind: head.kind,
    checkpoint: head.checkpoint,
    model: head.model,
    items: body.map((r) => r.item),
    ...(captions ? { captions } : {}),
    emb: { data, n: body.length, d },
  };
}

/** One search hit: row `index` of the index, its cosine similarity with the query. */
export interface Hit {
  index: number;
  score: number;
}

/**
 * The `k` rows most similar to query row `q` of `queries` (cosine; both sides normalised with eval's
 * `l2normalize` and scored with retrieval's `dotRows`), best first; ties go to the lower row, as
 * retrieval's ranks count them, so recall@k from these hits equals evaluation's.
 */
export function searchRows(index: Emb, queries: Emb, k: number): Hit[][] {
  if (index.d !== queries.d)
    throw new Error(
      `the index has ${index.d}-d embeddings but the query model gives ${queries.d}-d; search with the checkpoint that built the index`,
    );
  const a = l2normalize(index);
  const q = l2normalize(queries);
  const out: Hit[][] = [];
  for (let i = 0; i < q.n; i++) {
    const scores = Array.from({ length: a.n }, (_, r) => ({
      index: r,
      score: dotRows(q.data, i * q.d, a.data, r * a.d, a.d),
    }));
    scores.sort((x, y) => y.score - x.score || x.index - y.index);
    out.push(scores.slice(0, k));
  }
  return out;
}
