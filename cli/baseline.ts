/**
 * `resim check --baseline DIR`: an earlier results folder read back, and every metric of the
 * current run compared with it (a one-sided Welch t-test per metric in the direction that is
 * worse, Holm-adjusted over the study's tests: see cli/check.ts for the rules).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { holmAdjust, tQuantile, welch, type Sample } from '../sim/stats.js';
import type { Gate } from '../models/scenario/index.js';
import type { MetricDef } from '../models/metrics.js';
import { SUMMARY_CONFIDENCE, upperIsWorse } from './check.js';
import { checkMessages as m } from './messages.js';
import type { StudyOutput } from './pipeline.js';

/** The summary and per-replication values of one run, from memory or from a results folder. */
export interface RunView {
  summary: Map<string, { unit: string; mean: number; std: number; ci_low: number; ci_high: number; n: number }>;
  replications: Map<string, Float64Array>;
}

export function sampleOfValues(values: ArrayLike<number>): Sample {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return { mean, se2: n > 1 ? squares / (n - 1) / n : NaN, n };
}

/**
 * From a summary row: std^2 / n when the row has a std; for ratio estimators (no std) the standard
 * error behind the 95% interval, half-width / t_{0.975, n-1}.
 */
export function sampleOfSummary(row: { mean: number; std: number; ci_low: number; ci_high: number; n: number }): Sample {
  const { mean, std, n } = row;
  if (Number.isFinite(std) && n >= 2) return { mean, se2: (std * std) / n, n };
  if (n >= 2 && Number.isFinite(row.ci_low) && Number.isFinite(row.ci_high)) {
    const se = (row.ci_high - row.ci_low) / 2 / tQuantile(0.5 + SUMMARY_CONFIDENCE / 2, n - 1);
    return { mean, se2: se * se, n };
  }
  return { mean, se2: NaN, n };
}

/** Metrics where a lower value is worse; for every other metric (downtime, outage, dirty, incidents, cost, waits, kills, losses, latency, ...) higher is worse. */
export const LOWER_IS_WORSE: ReadonlySet<string> = new Set(['availability', 'mtbf_hours', 'jobs.completed', 'gpu.utilization', 'reservation.utilization']);

export interface Comparison {
  metric: string;
  unit: string;
  worse: 'higher' | 'lower';
  current: Sample;
  baseline: Sample;
  t: number;
  df: number;
  p: number;
  /** Holm-adjusted p-value over the study's tests; a regression when at most 1 - confidence. */
  adjustedP: number;
  regression: boolean;
}

/**
 * Compares every metric of the current run present in the baseline, in the direction(s) its gates
 * say is worse (a "<=" gate: higher is worse), else by LOWER_IS_WORSE. Mean metrics use the
 * per-replication values when both runs have them, ratio metrics the summary's interval.
 * Holm's step-down procedure over the tests keeps the chance of flagging anything in a run
 * where nothing changed at or below 1 - confidence, whatever the dependence between metrics.
 */
export function compareRuns(current: RunView, baseline: RunView, defs: readonly MetricDef[], gates: readonly Gate[], confidence: number): { comparisons: Comparison[]; skipped: string[] } {
  const tests: Array<Omit<Comparison, 'adjustedP' | 'regression'>> = [];
  const skipped: string[] = [];
  for (const def of defs) {
    const mine = current.summary.get(def.name);
    const theirs = baseline.summary.get(def.name);
    const sample = (view: RunView, row: NonNullable<typeof mine>) => {
      const values = def.kind === 'mean' ? view.replications.get(def.column) : undefined;
      return values && values.length === row.n ? sampleOfValues(values) : sampleOfSummary(row);
    };
    if (!mine || !theirs) {
      skipped.push(def.name);
      continue;
    }
    const a = sample(current, mine);
    const b = sample(baseline, theirs);
    if (![a.mean, a.se2, b.mean, b.se2].every(Number.isFinite) || a.n < 2 || b.n < 2) {
      skipped.push(def.name);
      continue;
    }
    const directions = new Set<'higher' | 'lower'>(gates.filter((g) => g.metric === def.name).map((g) => (upperIsWorse(g.operator) ? 'higher' : 'lower')));
    if (directions.size === 0) directions.add(LOWER_IS_WORSE.has(def.name) ? 'lower' : 'higher');
    for (const worse of directions) tests.push({ metric: def.name, unit: mine.unit, worse, current: a, baseline: b, ...welch(a, b, worse) });
  }
  const adjusted = holmAdjust(tests.map((t) => t.p));
  const comparisons: Comparison[] = tests.map((t, i) => ({ ...t, adjustedP: adjusted[i]!, regression: adjusted[i]! <= 1 - confidence }));
  return { comparisons, skipped };
}

/** reports/format.ts csvNumber, read back: empty is "not defined". */
function csvValue(s: string | undefined): number {
  if (s === undefined || s === '') return NaN;
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}

export interface Baseline {
  dir: string;
  run: { scenario?: unknown; scenario_hash?: unknown; sweep?: { parameter?: unknown; value?: unknown } };
  view: RunView;
}

/** Reads a results folder; a problem is returned as a message (bad input), not thrown. */
export function readBaseline(dir: string): Baseline | string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return m.baselineMissing(dir, 'no such folder');
  const runPath = join(dir, 'run.json');
  if (!existsSync(runPath)) return m.baselineMissing(dir, 'no run.json there');
  let run: Baseline['run'];
  try {
    run = JSON.parse(readFileSync(runPath, 'utf8')) as Baseline['run'];
  } catch {
    return m.baselineMissing(dir, 'run.json is not valid JSON');
  }
  const summaryPath = join(dir, 'summary.csv');
  if (!existsSync(summaryPath)) return m.baselineMissing(dir, 'no summary.csv there');
  const view: RunView = { summary: new Map(), replications: new Map() };
  try {
    const [header, ...rows] = parseCsv(readFileSync(summaryPath, 'utf8'), { relaxColumnCount: false }) as string[][];
    const col = (name: string) => header?.indexOf(name) ?? -1;
    const [metric, unit, mean, std, low, high, count] = ['metric', 'unit', 'mean', 'std', 'ci_low', 'ci_high', 'n'].map(col);
    if ([metric, mean, low, high, count].some((c) => c === undefined || c < 0)) return m.baselineMissing(dir, 'summary.csv lacks the columns metric, mean, ci_low, ci_high, n');
    for (const r of rows) {
      view.summary.set(r[metric!]!, { unit: r[unit!] ?? '', mean: csvValue(r[mean!]), std: csvValue(r[std!]), ci_low: csvValue(r[low!]), ci_high: csvValue(r[high!]), n: csvValue(r[count!]) });
    }
    const replicationsPath = join(dir, 'replications.csv');
    if (existsSync(replicationsPath)) {
      const [names, ...values] = parseCsv(readFileSync(replicationsPath, 'utf8')) as string[][];
      (names ?? []).forEach((name, k) => {
        if (name === 'replication' || name === 'seed') return;
        view.replications.set(name, Float64Array.from(values, (r) => csvValue(r[k])));
      });
    }
  } catch (err) {
    return m.baselineMissing(dir, `cannot read its CSV files (${err instanceof Error ? err.message : String(err)})`);
  }
  return { dir, run, view };
}

export function viewOf(output: StudyOutput): RunView {
  const view: RunView = { summary: new Map(), replications: new Map() };
  for (const r of output.rows) view.summary.set(r.metric, r);
  for (const name of output.replicationColumns) {
    if (name === 'replication' || name === 'seed') continue;
    view.replications.set(name, Float64Array.from(output.replications, (r) => Number(r[name])));
  }
  return view;
}

