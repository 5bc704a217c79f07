/**
 * Row-major embedding matrices on the host, and the small linear algebra evaluation needs.
 * Kept in plain JS so the metrics are exact, deterministic and testable without a backend.
 */
export interface Emb {
  /** [n*d] row-major. */
  data: Float32Array;
  n: number;
  d: number;
}

export function emb(rows: number[][]): Emb {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const data = new Float32Array(n * d);
  rows.forEach((r, i) => {
    if (r.length !== d) throw new Error(`emb: row ${i} has ${r.length} values, expected ${d}`);
    data.set(r, i * d);
  });
  return { data, n, d };
}

/** Copy with every row scaled to unit L2 norm (zero rows stay zero). */
export function l2normalize(e: Emb): Emb {
  const out = new Float32Array(e.data.length);
  for (let i = 0; i < e.n; i++) {
    let s = 0;
    for (let j = 0; j < e.d; j++) s += e.data[i * e.d + j]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < e.d; j++) out[i * e.d + j] = e.data[i * e.d + j]! * inv;
  }
  return { data: out, n: e.n, d: e.d };
}

/** Dot products of row `i` of `a` with every row of `b` → [b.n]. */
export function rowScores(a: Emb, i: number, b: Emb): Float64Array {
  if (a.d !== b.d) throw new Error(`embedding widths differ: ${a.d} vs ${b.d}`);
  const out = new Float64Array(b.n);
  const off = i * a.d;
  for (let r = 0; r < b.n; r++) {
    let s = 0;
    const bo = r * b.d;
    for (let j = 0; j < a.d; j++) s += a.data[off + j]! * b.data[bo + j]!;
    out[r] = s;
  }
  return out;
}

/**
 * 0-based rank of entry `target` in `scores`: the number of entries scoring strictly higher, plus
 * ties before it (index order), so ties never flatter the metric arbitrarily.
 */
export function rankOf(scores: Float64Array, target: number): number {
  const t = scores[target]!;
  let r = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s > t || (s === t && i < target)) r++;
  }
  return r;
}
