/** Sample mean, variance (n - 1) and fourth central moment, for moment checks of random draws. */
export function moments(x: Float64Array): { mean: number; variance: number; m4: number } {
  const n = x.length;
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / n;
  let m2 = 0;
  let m4 = 0;
  for (const v of x) {
    const d2 = (v - mean) * (v - mean);
    m2 += d2;
    m4 += d2 * d2;
  }
  return { mean, variance: m2 / (n - 1), m4: m4 / n };
}
