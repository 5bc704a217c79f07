/**
 * Limited-memory BFGS (Nocedal & Wright, Alg. 7.4/7.5) for smooth convex objectives whose value
 * and gradient come from an async function (the linear probe computes them on the tfjs backend).
 * Backtracking Armijo line search; curvature pairs with sᵀy ≤ 0 are skipped, so the inverse-Hessian
 * estimate stays positive definite. Variables live on the host in float64.
 */

export interface LbfgsOptions {
  /** Iteration cap (one gradient evaluation per accepted step, usually). Default 200. */
  maxIter?: number;
  /** Stop when ‖g‖∞ ≤ gradTol. Default 1e-5. */
  gradTol?: number;
  /** Stop when the relative decrease of f in one step is ≤ fTol (SciPy's factr·eps). Default 1e-10. */
  fTol?: number;
  /** Curvature pairs kept. Default 10. */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  /** Why it stopped: the gradient or f criterion, the cap, or a failed line search. */
  reason: "gradient" | "f-tolerance" | "max-iter" | "line-search";
}

export type ValueAndGradient = (x: Float64Array) => Promise<{ f: number; g: Float64Array }>;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Minimises `fg` from `x0` (not modified). */
export async function lbfgs(
  fg: ValueAndGradient,
  x0: Float64Array,
  opts: LbfgsOptions = {},
): Promise<LbfgsResult> {
  const maxIter = opts.maxIter ?? 200;
  const gradTol = opts.gradTol ?? 1e-5;
  const fTol = opts.fTol ?? 1e-10;
  const m = opts.memory ?? 10;
  const p = x0.length;
  let x = Float64Array.from(x0);
  let { f, g } = await fg(x);
  let evaluations = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const d = new Float64Array(p);
  for (let iter = 0; iter < maxIter; iter++) {
    if (maxAbs(g) <= gradTol) return { x, f, iterations: iter, evaluations, reason: "gradient" };
    // Two-loop recursion: d = −H·g.
    for (let i = 0; i < p; i++) d[i] = -g[i]!;
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(S[k]!, d);
      const y = Y[k]!;
      for (let i = 0; i < p; i++) d[i]! -= alpha[k]! * y[i]!;
    }
    // Initial scaling γ = sᵀy / yᵀy; on the first step, a unit-length move.
    const gamma =
      S.length > 0
        ? dot(S[S.length - 1]!, Y[Y.length - 1]!) / dot(Y[Y.length - 1]!, Y[Y.length - 1]!)
        : 1 / Math.max(Math.sqrt(dot(g, g)), 1e-12);
    for (let i = 0; i < p; i++) d[i]! *= gamma;
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k]! * dot(Y[k]!, d);
      const s = S[k]!;
      for (let i = 0; i < p; i++) d[i]! += s[i]! * (alpha[k]! - beta);
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < p; i++) d[i] = -g[i]!;
      slope = dot(g, d);
    }
    // Backtracking line search on the Armijo condition.
    let step = 1;
    let xn = new Float64Array(p);
    let next: { f: number; g: Float64Array } | undefined;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < p; i++) xn[i] = x[i]! + step * d[i]!;
      const r = await fg(xn);
      evaluations++;
      if (Number.isFinite(r.f) && r.f <= f + 1e-4 * step * slope) {
        next = r;
        break;
      }
      step *= 0.5;
    }
    if (!next) return { x, f, iterations: iter, evaluations, reason: "line-search" };
    const s = new Float64Array(p);
    const y = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      s[i] = xn[i]! - x[i]!;
      y[i] = next.g[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const fPrev = f;
    [x, xn] = [xn, x];
    f = next.f;
    g = next.g;
    if ((fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= fTol) {
      return { x, f, iterations: iter + 1, evaluations, reason: "f-tolerance" };
    }
  }
  return { x, f, iterations: maxIter, evaluations, reason: maxAbs(g) <= gradTol ? "gradient" : "max-iter" };
}
