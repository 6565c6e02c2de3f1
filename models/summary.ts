/**
 * Aggregate: from per-replication columns to summary rows (summary.csv), in replication order.
 */
import { ratioSummary, summarize } from '../sim/stats.js';
import { COLUMN, type MetricDef, type MetricUnit } from './metrics.js';

/** One row of summary.csv (CLI.md). Quantiles and std are NaN for ratio estimators (written empty). */
export interface SummaryRow {
  metric: string;
  unit: MetricUnit;
  mean: number;
  ci_low: number;
  ci_high: number;
  std: number;
  p05: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  n: number;
}

export const SUMMARY_COLUMNS = ['metric', 'unit', 'mean', 'ci_low', 'ci_high', 'std', 'p05', 'p50', 'p95', 'p99', 'min', 'max', 'n'] as const;

export function summarizeMetrics(columns: Float64Array[], defs: MetricDef[], confidence = 0.95): SummaryRow[] {
  return defs.map((def) => {
    if (def.kind === 'mean') {
      const s = summarize(columns[COLUMN[def.column]]!, confidence);
      return {
        metric: def.name,
        unit: def.unit,
        mean: s.mean,
        ci_low: s.ciLow,
        ci_high: s.ciHigh,
        std: s.std,
        p05: s.p05,
        p50: s.p50,
        p95: s.p95,
        p99: s.p99,
        min: s.min,
        max: s.max,
        n: s.n,
      };
    }
    const r = ratioSummary(columns[COLUMN[def.numerator]]!, columns[COLUMN[def.denominator]]!, confidence);
    return intervalRow(def.name, def.unit, r.estimate, r.ciLow, r.ciHigh, NaN, r.n);
  });
}

/**
 * A row with an estimate and its interval but no distribution (quantile, min and max columns
 * empty): ratio estimators, and estimates that are not made of per-replication values.
 */
export function intervalRow(metric: string, unit: MetricUnit, mean: number, low: number, high: number, std: number, n: number): SummaryRow {
  return { metric, unit, mean, ci_low: low, ci_high: high, std, p05: NaN, p50: NaN, p95: NaN, p99: NaN, min: NaN, max: NaN, n };
}
