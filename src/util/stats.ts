/** The one mean / standard-deviation helper (findings, figures and tables all use it). */

/** Mean, sample standard deviation (n − 1; 0 for one value) and count; NaN for no values. */
export function meanStd(values: ReadonlyArray<number>): { mean: number; std: number; n: number } {
  const n = values.length;
  if (!n) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = values.reduce((s, x) => s + x, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Least-squares line y ≈ intercept + slope · x and its R² (1 − residual / total sum of squares). */
export function linearFit(
  xs: ReadonlyArray<number>,
  ys: ReadonlyArray<number>,
): { slope: number; intercept: number; r2: number; n: number } {
  const n = xs.length;
  if (n !== ys.length) throw new Error(`linearFit: ${n} x values for ${ys.length} y values`);
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN, n };
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN, n };
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  // With y constant every line through it fits exactly.
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept, r2, n };
}
