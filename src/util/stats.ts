/** The one mean / standard-deviation helper (findings, figures and tables all use it). */

/** Mean, sample standard deviation (n − 1; 0 for one value) and count; NaN for no values. */
export function meanStd(values: ReadonlyArray<number>): { mean: number; std: number; n: number } {
  const n = values.length;
  if (!n) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = values.reduce((s, x) => s + x, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}
