/**
 * `resim check FILE... [--junit FILE] [--baseline DIR]`: run each scenario exactly as `run` does
 * (same flags, same results folder), then judge its `expect:` gates and, with a baseline, look for
 * significant regressions against an earlier results folder.
 *
 *   files ──load, prepare──> studies ──preflight──> gates measurable? baseline readable, same scenario?
 *     ──simulate, aggregate, write (as run)──> StudyOutput
 *     ──judgeGates──> GateResult[]   ──compareBaseline──> Comparison[]
 *     ──print, JUnit, JSON──> exit code: the worst verdict of all files (fail > inconclusive > pass)
 *
 * Everything that can make the command refuse (exit 2) is found before anything runs.
 *
 * Verdicts (SCENARIOS.md "Expectations"), at the confidence of the scenario's precision block or 95%:
 * - mean: the t-interval of summary.csv (delta-method interval for ratio metrics such as
 *   mtbf_hours); p05/p50/p95/p99: the distribution-free order-statistic interval of the
 *   per-replication values (sim/stats.ts quantileInterval). PASS when the interval lies entirely
 *   on the right side of the threshold, FAIL when it lies entirely on the wrong side, INCONCLUSIVE
 *   otherwise. Quantiles of ratio metrics do not exist (one value per run): refused before running.
 * - ci_low / ci_high: the bound is itself the statistic, a number computed from the data, so it
 *   is compared directly: PASS or FAIL, never inconclusive. Such a gate asks for proof
 *   ("ci_high <= 1.6": the data must show the mean is below 1.6), where "mean <= 1.6" only fails
 *   when the data show it is above. min and max are not gate statistics (GATE_STATS; the loader
 *   refuses them): the extremes of a sample drift with its size and have no interval to settle.
 *
 * Baseline: every metric of the summary (and so every gated metric) is compared with a one-sided
 * Welch t-test in the direction that is worse, and the tests of one study are Holm-adjusted so a
 * run with nothing changed is flagged at most 1 - confidence of the time, however many metrics.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { quantileInterval, tQuantile } from '../sim/stats.js';
import { compareRuns, readBaseline, viewOf, type Baseline, type Comparison } from './baseline.js';
import { InputError, problemAt, type Gate, type GateOperator, type LoadedScenario, type Problem } from '../models/scenario/index.js';
import type { MetricUnit } from '../models/metrics.js';
import type { SummaryRow } from '../models/summary.js';
import { toCsv } from '../reports/csv.js';
import { safeName, writeFileAtomic } from '../reports/files.js';
import { junitXml, type JunitCase, type JunitSuite } from '../reports/junit.js';
import { writeStudyResults } from '../reports/results.js';
import { colorEnabled } from '../reports/table.js';
import { checkFlags, loadAll, prepareAll, printWarnings, runStudy, type RunArgs } from './commands.js';
import { chooseMethod } from './rare.js';
import { checkMessages as m, messages, ReportedError } from './messages.js';
import { sweepRows, type Prepared, type Study, type StudyOutput } from './pipeline.js';

export interface CheckArgs extends RunArgs {
  junit?: string;
  baseline?: string;
}

/** The rules, for `resim check --help`. */
export const CHECK_HELP = [
  "Verdicts are at the scenario's simulation.precision.confidence, else 95%.",
  'mean: the t-interval of the mean (the delta-method interval for ratio metrics such as mtbf_hours). p05, p50, p95, p99: the distribution-free order-statistic interval of the per-replication values; ratio metrics have no quantiles (such a gate is refused, exit 2).',
  'PASS when the interval lies entirely on the right side of the threshold, FAIL when it lies entirely on the wrong side, INCONCLUSIVE otherwise, with about how many replications would settle it: n x (half-width / |estimate - threshold|)^2.',
  'ci_low, ci_high: the bound itself is compared, PASS or FAIL, never inconclusive ("downtime_hours.ci_high <= 1.6" demands proof that the mean is below 1.6). min and max are not gate statistics.',
  'Exit codes: 0 all gates pass; 1 a gate fails or a regression; 3 none fails but some are inconclusive; 2 bad input (also: a scenario without expect: gates, a baseline missing or of another scenario); 4 internal error. Several files: the worst verdict wins.',
  'JUnit (--junit): <failure> for FAIL and regressions, <skipped> for INCONCLUSIVE.',
  'Baseline (--baseline DIR): every metric of summary.csv is compared with a one-sided Welch t-test (replications.csv values where present) in the direction that is worse: that of the metric\'s gates ("<=", "<": higher is worse), else lower for availability, mtbf_hours, jobs.completed, gpu.utilization and reservation.utilization and higher for every other metric. A regression is a test whose Holm-adjusted p-value (over the study\'s tests) is at most 1 - confidence. The baseline must carry the same scenario name; a changed scenario file is noted.',
].join('\n\n');

export const Verdict = { pass: 'pass', fail: 'fail', inconclusive: 'inconclusive' } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** CLI.md exit codes. */
export const VERDICT_EXIT: Record<Verdict, number> = { pass: 0, fail: 1, inconclusive: 3 };
const BAD_INPUT = 2;
const SEVERITY: Record<Verdict, number> = { pass: 0, inconclusive: 1, fail: 2 };

export function worst(verdicts: Iterable<Verdict>): Verdict {
  let w: Verdict = Verdict.pass;
  for (const v of verdicts) if (SEVERITY[v] > SEVERITY[w]) w = v;
  return w;
}

const DEFAULT_CONFIDENCE = 0.95;
/** summary.csv intervals are always at 95% (models/summary.ts). */
export const SUMMARY_CONFIDENCE = 0.95;
const QUANTILE_OF = { p05: 0.05, p50: 0.5, p95: 0.95, p99: 0.99 } as const;
type QuantileStat = keyof typeof QUANTILE_OF;
const isQuantile = (stat: string): stat is QuantileStat => stat in QUANTILE_OF;
/**
 * The statistics check can judge. Should GATE_STATS grow (min, max, ...), a gate on a statistic not
 * listed here is refused as bad input rather than judged on the wrong number.
 */
const JUDGED_STATS: ReadonlySet<string> = new Set(['mean', 'ci_low', 'ci_high', ...Object.keys(QUANTILE_OF)]);

// ── gates ────────────────────────────────────────────────────────────────────────────────────

/** What would settle an undecided gate. */
export type Settle =
  | { kind: 'replications'; total: number }
  | { kind: 'unbounded'; total: number }
  | { kind: 'equal' }
  | { kind: 'undefined' }
  | { kind: 'never' };

export interface GateResult {
  gate: Gate;
  /** The gate as written, with the sweep point for a sweep: the JUnit test name. */
  name: string;
  verdict: Verdict;
  unit: MetricUnit;
  /** The statistic (for ci_low / ci_high gates: the bound). */
  estimate: number;
  /** Its interval (for ci_low / ci_high gates: the mean's interval, the bound being one end). */
  low: number;
  high: number;
  mean: number;
  confidence: number;
  replications: number;
  settle: Settle | null;
  message: string;
}

const holds = (x: number, op: GateOperator, threshold: number): boolean =>
  op === '<=' ? x <= threshold : op === '<' ? x < threshold : op === '>=' ? x >= threshold : x > threshold;
export const upperIsWorse = (op: GateOperator) => op === '<=' || op === '<';

/**
 * The mean's interval at `confidence`. summary.csv holds it at 95%; t-intervals and delta-method
 * intervals both have half-width t_{(1+c)/2, n-1} x standard error, so another confidence rescales
 * the half-width by the ratio of the two t quantiles.
 */
export function meanInterval(row: SummaryRow, confidence: number): { low: number; high: number } {
  if (confidence === SUMMARY_CONFIDENCE || !(row.n >= 2)) return { low: row.ci_low, high: row.ci_high };
  const half = ((row.ci_high - row.ci_low) / 2) * (tQuantile(0.5 + confidence / 2, row.n - 1) / tQuantile(0.5 + SUMMARY_CONFIDENCE / 2, row.n - 1));
  return { low: row.mean - half, high: row.mean + half };
}

/**
 * Replications that would roughly settle an undecided interval. The half of the interval that
 * reaches across the threshold shrinks like 1/sqrt(n) (t-interval: t s / sqrt(n); order-statistic
 * interval: about z sqrt(p (1 - p) / n) / f(x_p)), so with the estimate and spread unchanged it
 * stops reaching the threshold once
 *     n_needed ~ n * (half_width / |estimate - threshold|)^2,
 * rounded up (to two significant digits: it is a guide, not a promise).
 */
export function replicationsToSettle(n: number, estimate: number, low: number, high: number, threshold: number, quantile?: number, confidence = DEFAULT_CONFIDENCE): Settle {
  if (Number.isNaN(estimate)) return { kind: 'undefined' };
  const distance = Math.abs(threshold - estimate);
  if (distance === 0) return { kind: 'equal' };
  const across = estimate < threshold ? high - estimate : estimate - low;
  if (!Number.isFinite(across)) {
    // An unbounded side: a mean needs 2 replications for any spread; an order-statistic bound
    // needs P(no value beyond the quantile) = q^n <= (1 - confidence) / 2.
    if (quantile === undefined) return { kind: 'unbounded', total: Math.max(2, n + 1) };
    const q = estimate < threshold ? quantile : 1 - quantile;
    return { kind: 'unbounded', total: Math.ceil(Math.log((1 - confidence) / 2) / Math.log(q)) };
  }
  const total = Math.max(n + 1, roundUp2(n * (across / distance) ** 2));
  return { kind: 'replications', total };
}

function roundUp2(x: number): number {
  if (!(x > 100)) return Math.ceil(x);
  const scale = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Math.ceil(x / scale) * scale;
}

/** Judges one gate on one study's results. `values`: the metric's per-replication values (mean metrics only). */
export function judgeGate(gate: Gate, row: SummaryRow, values: Float64Array | null, confidence: number, name = gate.text): GateResult {
  const { low: meanLow, high: meanHigh } = meanInterval(row, confidence);
  const base = { gate, name, unit: row.unit, mean: row.mean, confidence, replications: row.n };
  const side = upperIsWorse(gate.operator) ? 'above' : 'below';
  const strict = gate.operator === '<' || gate.operator === '>';

  if (gate.stat === 'ci_low' || gate.stat === 'ci_high') {
    const bound = gate.stat === 'ci_low' ? meanLow : meanHigh;
    const detail = m.bound(gate.stat, bound, row.unit, row.mean, confidence);
    if (Number.isNaN(bound)) {
      return { ...base, verdict: Verdict.inconclusive, estimate: bound, low: meanLow, high: meanHigh, settle: { kind: 'undefined' }, message: m.gateLine('inconclusive', name, `${detail}: ${m.notDefined(gate.metric, row.n)}`) };
    }
    if (holds(bound, gate.operator, gate.value)) {
      return { ...base, verdict: Verdict.pass, estimate: bound, low: meanLow, high: meanHigh, settle: null, message: m.gateLine('pass', name, detail) };
    }
    // Failed; more replications move the bound towards the mean, so they help only if the mean passes.
    let settle: Settle = { kind: 'never' };
    if (holds(row.mean, gate.operator, gate.value)) settle = replicationsToSettle(row.n, row.mean, meanLow, meanHigh, gate.value, undefined, confidence);
    const hint = settle.kind === 'replications' || settle.kind === 'unbounded' ? m.boundMayCross(settle.total, row.n) : m.boundWontCross();
    return { ...base, verdict: Verdict.fail, estimate: bound, low: meanLow, high: meanHigh, settle, message: m.gateLine('fail', name, `${detail} ${m.boundFailed(side, strict, gate.value)}; ${hint}`) };
  }

  let estimate: number;
  let low: number;
  let high: number;
  let quantile: number | undefined;
  if (isQuantile(gate.stat)) {
    if (values === null) throw new Error(`${gate.metric}.${gate.stat}: no per-replication values (preflight should have refused it)`);
    quantile = QUANTILE_OF[gate.stat];
    const sorted = Float64Array.from(values).sort();
    const interval = quantileInterval(sorted, quantile, confidence);
    estimate = row[gate.stat];
    low = interval.low;
    high = interval.high;
  } else if (gate.stat === 'mean') {
    estimate = row.mean;
    low = meanLow;
    high = meanHigh;
  } else {
    throw new Error(`${gate.text}: statistic ${String(gate.stat)} is not judged by check (preflight should have refused it)`);
  }
  const detail = m.estimate(estimate, row.unit, low, high, confidence);
  const [worseEnd, betterEnd] = upperIsWorse(gate.operator) ? [high, low] : [low, high];
  if (!Number.isNaN(estimate) && holds(worseEnd, gate.operator, gate.value)) {
    return { ...base, verdict: Verdict.pass, estimate, low, high, settle: null, message: m.gateLine('pass', name, detail) };
  }
  if (!Number.isNaN(estimate) && !holds(betterEnd, gate.operator, gate.value)) {
    return { ...base, verdict: Verdict.fail, estimate, low, high, settle: null, message: m.gateLine('fail', name, `${detail} ${m.failed(side, strict, gate.value)}`) };
  }
  const settle = replicationsToSettle(row.n, estimate, low, high, gate.value, quantile, confidence);
  const why =
    settle.kind === 'replications'
      ? m.settleWith(settle.total, row.n)
      : settle.kind === 'unbounded'
        ? m.unbounded(settle.total, row.n)
        : settle.kind === 'equal'
          ? m.equalsThreshold()
          : m.notDefined(gate.metric, row.n);
  const text = Number.isNaN(estimate) ? why : `${detail} ${m.straddles(gate.value)}; ${why}`;
  return { ...base, verdict: Verdict.inconclusive, estimate, low, high, settle, message: m.gateLine('inconclusive', name, text) };
}

// ── the command ──────────────────────────────────────────────────────────────────────────────

/** One study to judge: a scenario, or one point of a sweep. */
interface Plan {
  study: Study;
  /** Sweep point label, e.g. "components.ups.redundancy=2+1". */
  point: string | null;
  gates: Gate[];
  confidence: number;
  dir: string;
  baseline: Baseline | null;
}

interface StudyReport {
  plan: Plan;
  output: StudyOutput;
  gates: GateResult[];
  comparisons: Comparison[] | null;
  skipped: string[];
  verdict: Verdict;
}

export async function checkCommand(a: CheckArgs): Promise<number> {
  const overrides = checkFlags({ ...a, replication: undefined });
  const loaded = loadAll(a.files);
  const prepared = prepareAll(loaded, overrides);
  printWarnings(prepared);
  const groups = plan(prepared, a);

  const color = colorEnabled(process.stdout);
  const reports: StudyReport[][] = [];
  for (const group of groups) {
    const done: StudyReport[] = [];
    for (const p of group.plans) {
      const output = await runStudy(p.study, { ...a, replication: undefined }, p.study.loaded.file);
      writeStudyResults(p.dir, output);
      const report = judge(p, output);
      done.push(report);
      if (!a.json) print(report, a.quiet, color);
    }
    if (group.prepared.kind === 'sweep') {
      const { columns, rows } = sweepRows(group.prepared.sweep, done.map((r) => r.output));
      writeFileAtomic(join(group.dir, 'sweep.csv'), toCsv(columns, rows));
      if (!a.quiet && !a.json) process.stdout.write(messages.wrote(group.dir) + '\n');
    }
    reports.push(done);
  }

  const all = reports.flat();
  const verdict = worst(all.map((r) => r.verdict));
  const code = VERDICT_EXIT[verdict];
  if (a.junit) {
    try {
      writeFileAtomic(a.junit, junitXml(reports.map((group) => suiteOf(group))));
    } catch (err) {
      throw new ReportedError(`error: cannot write --junit ${a.junit}: ${err instanceof Error ? err.message : String(err)}`, BAD_INPUT);
    }
  }
  if (a.json) {
    process.stdout.write(JSON.stringify({ verdict, exit_code: code, results: all.map(jsonOf) }, null, 2) + '\n');
  } else {
    process.stdout.write(paint(m.verdict(verdict, code), verdict, color) + '\n');
  }
  return code;
}

interface Group {
  prepared: Prepared;
  plans: Plan[];
  /** The scenario's results folder (for a sweep: of sweep.csv, with a folder per point). */
  dir: string;
}

/**
 * Everything that makes check refuse, for all files at once and before anything runs: no gates,
 * a gate on a metric the scenario does not measure, a quantile of a ratio metric, a baseline
 * that is missing, unreadable or of another scenario.
 */
function plan(prepared: Prepared[], a: CheckArgs): Group[] {
  const problems: Problem[] = [];
  const baselineProblems: string[] = [];
  const several = prepared.length > 1;
  let baselineRoot = a.baseline;
  // `--baseline results/x/summary.csv` (as issue 5 writes it) means its folder.
  if (baselineRoot && basename(baselineRoot) === 'summary.csv' && existsSync(baselineRoot) && statSync(baselineRoot).isFile()) baselineRoot = dirname(baselineRoot);
  const groups = prepared.map((p): Group => {
    const loaded = p.kind === 'study' ? p.study.loaded : p.loaded;
    const name = safeName(p.kind === 'study' ? p.study.config.scenario : p.loaded.scenario.scenario);
    const dir = a.out ? (several ? join(a.out, name) : a.out) : join('results', name);
    const baseDir = baselineRoot ? (several ? join(baselineRoot, name) : baselineRoot) : null;
    const studies = p.kind === 'study' ? [p.study] : p.sweep.points;
    const gates = loaded.scenario.expect;
    if (gates.length === 0) problems.push(problemAt(loaded, 'expect', m.noGates()));
    const plans = studies.map((study): Plan => {
      const pointDir = study.point ? safeName(String(study.point.value)) : null;
      for (const [i, gate] of gates.entries()) {
        const def = study.defs.find((d) => d.name === gate.metric);
        if (!JUDGED_STATS.has(gate.stat)) problems.push(problemAt(loaded, `expect.${i}`, m.statNotJudged(gate.stat, [...JUDGED_STATS])));
        else if (!def) problems.push(problemAt(loaded, `expect.${i}`, m.notMeasured(gate.metric, study.defs.map((d) => d.name))));
        else if (def.kind === 'ratio' && isQuantile(gate.stat)) problems.push(problemAt(loaded, `expect.${i}`, m.quantileNotAvailable(gate.metric, gate.stat)));
        else if (isQuantile(gate.stat) && study.method !== 'crude' && chooseMethod(study).method === 'importance') {
          problems.push(problemAt(loaded, `expect.${i}`, m.quantileUnderImportance(gate.metric, gate.stat)));
        }
      }
      let baseline: Baseline | null = null;
      if (baseDir) {
        const where = pointDir ? join(baseDir, pointDir) : baseDir;
        const read = readBaseline(where);
        if (typeof read === 'string') baselineProblems.push(read);
        else if (read.run.scenario !== study.config.scenario) baselineProblems.push(m.baselineOtherScenario(where, String(read.run.scenario), study.config.scenario));
        else if (study.point && read.run.sweep && String(read.run.sweep.value) !== String(study.point.value)) {
          baselineProblems.push(m.baselineOtherPoint(where, String(read.run.sweep.value), String(study.point.value)));
        } else baseline = read;
      }
      return {
        study,
        point: study.point ? `${study.point.parameter}=${study.point.value}` : null,
        gates,
        confidence: confidenceOf(loaded),
        dir: pointDir ? join(dir, pointDir) : dir,
        baseline,
      };
    });
    return { prepared: p, plans, dir };
  });
  if (problems.length > 0) throw new InputError(problems);
  if (baselineProblems.length > 0) throw new ReportedError(`error: ${[...new Set(baselineProblems)].join('\nerror: ')}`, BAD_INPUT);
  return groups;
}

/** The scenario's precision confidence when it sets one, else 95%. */
function confidenceOf(loaded: LoadedScenario): number {
  return loaded.scenario.simulation.precision?.confidence ?? DEFAULT_CONFIDENCE;
}

function judge(p: Plan, output: StudyOutput): StudyReport {
  const view = viewOf(output);
  const gates = p.gates.map((gate) => {
    const row = output.rows.find((r) => r.metric === gate.metric)!;
    const def = p.study.defs.find((d) => d.name === gate.metric)!;
    const values = def.kind === 'mean' ? (view.replications.get(def.column) ?? null) : null;
    return judgeGate(gate, row, values, p.confidence, p.point ? `${gate.text} [${p.point}]` : gate.text);
  });
  let comparisons: Comparison[] | null = null;
  let skipped: string[] = [];
  if (p.baseline) ({ comparisons, skipped } = compareRuns(view, p.baseline.view, p.study.defs, p.gates, p.confidence));
  const verdict = worst([...gates.map((g) => g.verdict), ...(comparisons?.some((c) => c.regression) ? [Verdict.fail] : [])]);
  return { plan: p, output, gates, comparisons, skipped, verdict };
}

function print(r: StudyReport, quiet: boolean, color: boolean): void {
  const out = process.stdout;
  const { plan: p, output } = r;
  const label = p.point ? `${p.study.config.scenario} [${p.point}]` : p.study.config.scenario;
  out.write(m.header(label, r.gates.length, p.confidence, replicationsOf(output), p.study.config.seed) + '\n');
  for (const g of r.gates) out.write(paint(g.message, g.verdict, color) + '\n');
  if (r.comparisons && p.baseline) {
    const theirs = p.baseline.run.scenario_hash;
    if (typeof theirs === 'string' && theirs !== p.study.loaded.hash) out.write(m.baselineChanged(p.baseline.dir, theirs, p.study.loaded.hash) + '\n');
    for (const c of r.comparisons.filter((x) => x.regression)) {
      out.write(paint(comparisonLine(c, r.comparisons.length, p.confidence), Verdict.fail, color) + '\n');
    }
    const gated = r.skipped.filter((s) => p.gates.some((g) => g.metric === s));
    if (gated.length > 0) out.write(m.baselineNotCompared(gated) + '\n');
    out.write(m.baselineSummary(p.baseline.dir, r.comparisons.length, r.comparisons.filter((c) => c.regression).length, p.confidence) + '\n');
  }
  const count = (v: Verdict) => r.gates.filter((g) => g.verdict === v).length;
  const regressions = r.comparisons ? r.comparisons.filter((c) => c.regression).length : null;
  out.write(m.summary(label, count('pass'), count('fail'), count('inconclusive'), regressions) + '\n');
  if (!quiet && !p.study.point) out.write(messages.wrote(p.dir) + '\n');
}

function comparisonLine(c: Comparison, tests: number, confidence: number): string {
  return m.comparison(c.regression, c.metric, c.unit, c.current.mean, c.baseline.mean, c.worse, c.p, c.adjustedP, tests, 1 - confidence);
}

function replicationsOf(output: StudyOutput): number {
  return (output.run as { replications: number }).replications;
}

const COLORS: Record<Verdict, number> = { pass: 32, fail: 31, inconclusive: 33 };

/** Colours only the verdict word at the start of the line. */
function paint(line: string, verdict: Verdict, on: boolean): string {
  if (!on) return line;
  const space = line.indexOf(' ');
  return `\u001b[${COLORS[verdict]}m${line.slice(0, space)}\u001b[39m${line.slice(space)}`;
}

/**
 * JUnit: one suite per scenario file; one test case per gate (classname = scenario, name = the
 * gate as written, with the sweep point for a sweep), FAIL as <failure>, INCONCLUSIVE as
 * <skipped>; with a baseline, one more case per compared metric ("baseline <metric>"), a
 * regression as <failure>.
 */
function suiteOf(group: StudyReport[]): JunitSuite {
  const first = group[0]!;
  const scenario = first.plan.study.config.scenario;
  const cases: JunitCase[] = [];
  for (const r of group) {
    for (const g of r.gates) {
      cases.push({
        classname: scenario,
        name: g.name,
        output: g.message,
        ...(g.verdict === 'fail' ? { failure: { message: g.message } } : {}),
        ...(g.verdict === 'inconclusive' ? { skipped: { message: g.message } } : {}),
      });
    }
    for (const c of r.comparisons ?? []) {
      const text = comparisonLine(c, r.comparisons!.length, r.plan.confidence);
      cases.push({
        classname: scenario,
        name: `baseline ${c.metric} (${c.worse} is worse)${r.plan.point ? ` [${r.plan.point}]` : ''}`,
        output: text,
        ...(c.regression ? { failure: { message: text } } : {}),
      });
    }
  }
  const time = group.reduce((t, r) => t + ((r.output.run as { wall_seconds?: number }).wall_seconds ?? 0), 0);
  return {
    name: scenario,
    time,
    properties: {
      file: first.plan.study.loaded.file,
      seed: first.plan.study.config.seed,
      replications: replicationsOf(first.output),
      confidence: first.plan.confidence,
    },
    cases,
  };
}

function jsonOf(r: StudyReport) {
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    scenario: r.plan.study.config.scenario,
    ...(r.plan.study.point ? { point: r.plan.study.point } : {}),
    verdict: r.verdict,
    confidence: r.plan.confidence,
    replications: replicationsOf(r.output),
    results_dir: r.plan.dir,
    gates: r.gates.map((g) => ({
      gate: g.gate.text,
      metric: g.gate.metric,
      stat: g.gate.stat,
      operator: g.gate.operator,
      threshold: g.gate.value,
      verdict: g.verdict,
      estimate: num(g.estimate),
      ci_low: num(g.low),
      ci_high: num(g.high),
      replications_needed: g.settle && (g.settle.kind === 'replications' || g.settle.kind === 'unbounded') ? g.settle.total : null,
      message: g.message,
    })),
    baseline: r.comparisons
      ? {
          dir: r.plan.baseline!.dir,
          comparisons: r.comparisons.map((c) => ({
            metric: c.metric,
            worse: c.worse,
            current_mean: num(c.current.mean),
            baseline_mean: num(c.baseline.mean),
            t: num(c.t),
            df: num(c.df),
            p: c.p,
            p_holm: c.adjustedP,
            regression: c.regression,
          })),
          not_compared: r.skipped,
        }
      : null,
    run: r.output.run,
  };
}
