/**
 * Checking a simulated estimate against an exact value with a stated false-failure rate: the
 * program's own 95% interval (summary.csv) is widened to 99.9% with the same standard error and t
 * quantile (n - 1 degrees of freedom), so a correct program fails one such check in 1,000 at an
 * arbitrary seed; checking the 95% interval itself would fail one in 20. The interval must also be
 * narrow enough (relative half-width at 95%) for the check to have power.
 */
import { expect } from 'vitest';
import { tQuantile } from '../../sim/stats.js';
import { rows } from './timeline.js';

export interface Estimate {
  mean: number;
  low: number;
  high: number;
  n: number;
}

/** summary.csv text -> metric -> estimate. */
export function estimates(summaryCsv: string): Map<string, Estimate> {
  return new Map(rows(summaryCsv).map((s) => [s.metric!, { mean: Number(s.mean), low: Number(s.ci_low), high: Number(s.ci_high), n: Number(s.n) }]));
}

export function expectCovers(label: string, e: Estimate | undefined, exact: number, maxRelativeHalfWidth: number): void {
  expect(e, `summary.csv has ${label}`).toBeDefined();
  const { mean, low, high, n } = e!;
  expect(Number.isFinite(low) && Number.isFinite(high) && low < mean && mean < high, `${label}: 95% CI [${low}, ${high}] around ${mean}`).toBe(true);
  const half95 = (high - low) / 2;
  const se = half95 / tQuantile(0.975, n - 1);
  const half999 = tQuantile(0.9995, n - 1) * se;
  const contains95 = low <= exact && exact <= high;
  console.log(`${label}: exact ${exact.toPrecision(6)}, simulated ${mean.toPrecision(6)}, 95% CI [${low.toPrecision(6)}, ${high.toPrecision(6)}] (${contains95 ? 'contains' : 'misses'} it), 99.9% half-width ${half999.toPrecision(3)}`);
  expect(Math.abs(mean - exact), `${label}: ${mean} is outside the 99.9% interval ±${half999} around the exact ${exact}`).toBeLessThanOrEqual(half999);
  expect(half95 / Math.abs(exact), `${label}: the interval is too wide to test anything`).toBeLessThan(maxRelativeHalfWidth);
}
