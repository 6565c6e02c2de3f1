/** User-facing messages of the command line, in one place (tests compare against these functions). */
import type { ReplicationError } from '../sim/replication.js';
import type { TierVerdict } from '../models/tier.js';
import { shortNumber } from '../reports/format.js';

/** The default event budget per replication (--max-events), in words. */
const DEFAULT_MAX_EVENTS_TEXT = '1,000,000,000';

export const messages = {
  replicationFailed: (e: ReplicationError, key: string, file: string) =>
    `error: replication ${e.replication} (seed ${key}) failed at simulated time t = ${fmtTime(e.time)} in ${e.entity}: ${e.detail}\n` +
    `reproduce it with: resim run ${file} --replication ${e.replication}`,
  budgetExceeded: (e: ReplicationError, key: string) =>
    `error: replication ${e.replication} (seed ${key}) stopped: ${e.detail}\n` +
    `the model schedules events without end (a zero-delay loop?) or needs a larger --max-events (default ${DEFAULT_MAX_EVENTS_TEXT} per replication); no results were written`,
  workerDied: (e: ReplicationError, key: string, file: string) =>
    `error: replication ${e.replication} (seed ${key}): ${e.detail}; the run is stopped and no results were written\n` +
    `reproduce it with: resim run ${file} --replication ${e.replication}`,
  interrupting: (sig: string) =>
    `interrupted (${sig}): stopping the workers; the replications completed so far will be written as partial results (a second ${sig === 'SIGINT' ? 'Ctrl-C' : sig} exits at once)`,
  interruptedAgain: (sig: string) => `interrupted again (${sig}): exiting now, writing nothing more`,
  /** The first line of a partial run's terminal summary. */
  partialHeader: (scenario: string, by: string, k: number, target: number, precision: boolean) =>
    `PARTIAL RESULTS: ${scenario} was stopped by ${by} after ${k} of ${target} replications${precision ? ' (the precision target\'s next checkpoint)' : ''}; the figures below are of those ${k} only`,
  resumeHint: (file: string, dir: string) => `continue it with: resim run ${file} --resume ${dir}`,
  partialWrote: (dir: string) => `partial results written to ${dir} (run.json: "partial": true)`,
  noResume: (why: string) => `it cannot be resumed: ${why}`,
  timeLimit: (limit: string, k: number, target: number, running: string | null) =>
    `error: time limit of ${limit} (--time-limit) reached after ${k} of ${target} replications` +
    (running === null ? '' : `; still running: ${running}`),
  timeLimitRunning: (e: ReplicationError, key: string) => `replication ${e.replication} (seed ${key}): ${e.detail}`,
  interruptedNothingWritten: (by: string, command: string) =>
    `${by === 'time limit' ? 'error: the time limit (--time-limit) was reached' : `interrupted (${by})`}: ${command} writes no partial results; nothing more was written`,
  chartNotRendered: (name: string, detail: string) => `warning: chart ${name} could not be rendered (${detail}); its spec is still written (charts/${name}.vl.json)`,
  resumed: (k: number) => `resumed: replications 0..${k - 1} were read from the interrupted run, the rest simulated now`,
  internalError: (detail: string) =>
    `internal error (a bug in resim, not in your scenario): ${detail}\nset RESIM_DEBUG=1 for the stack trace, and please report it`,
  replicationOutOfRange: (i: number, n: number) => `--replication ${i} is outside the run's ${n} replications (0..${n - 1})`,
  precisionNotReached: (metric: string, rel: number, target: number, n: number) =>
    `note: precision target not reached: ${metric} relative half-width ${fmtPct(rel)} > ${fmtPct(target)} after ${n} replications (max_replications)`,
  precisionReached: (metric: string, rel: number, target: number, n: number) =>
    `precision: ${metric} known to +-${fmtPct(rel)} (target ${fmtPct(target)}) after ${n} replications`,
  replicationsWithImportance: () =>
    '--replications does not apply to simulation.method: importance, which runs regenerative cycles until its precision target (simulation.precision.relative_half_width, 10% by default); set simulation.method: crude for a fixed replication count',
  resumeImportance: () => 'an importance-sampling run cannot be resumed (it is not made of replications); run it again',
  shardImportance: () => 'an importance-sampling study cannot be sharded (it is not made of replications, and answers in seconds on one machine); set simulation.method: crude to shard it',
  importancePrecision: (reached: boolean, rel: number, target: number, cycles: number) =>
    `precision: unavailability (and so downtime_hours) known to +-${fmtPct(rel)} (target ${fmtPct(target)}${reached ? '' : ', NOT reached'}) after ${cycles} biased cycles`,
  importanceStopped: (by: string, cycles: number) =>
    `importance sampling stopped by ${by} after ${cycles} biased cycles, before its precision target; nothing was written (run it again, or lower the target)`,
  lossUnreachable: () =>
    'no reachable state of the Markov chain leaves a load unserved (nothing that can fail, or no failure sequence that loses the load): downtime and incidents are exactly 0',
  importanceNote: (reason: string) =>
    `importance sampling (${reason}): the intervals come from the regenerative ratio with likelihood-ratio weights; summary.csv has no quantiles and replications.csv no rows (there are no per-year values)`,
  noLossesSeen: (n: number, years: number) =>
    `note: no loss of service in ${n} replications (${years.toPrecision(3)} simulated years): the interval is not informative; ` +
    `with 95% confidence the incident rate is below ${(3 / years).toPrecision(2)} per year (rule of three)`,
  fewLosses: (count: number) =>
    `note: only ${count} losses of service observed; a CLT interval on so few events is rough (about 400 are needed for +-10%)`,
  wrote: (dir: string) => `results written to ${dir}`,
  tierVerdict: (v: TierVerdict) =>
    `tier: ${v.tier === 'none' ? 'below Tier I' : `Tier ${v.tier}`} (hours: ${v.byHours === 'none' ? 'over every budget' : `Tier ${v.byHours}`}; topology: ${v.byTopology === null ? 'not judged' : `Tier ${v.byTopology}`})\n` +
    v.reasons.map((r) => `  - ${r}`).join('\n') +
    `\n  note: ${v.caveat}`,
  cost: (mean: number, low: number, high: number, currency: string) =>
    `expected downtime cost: ${money(mean)} ${currency}/yr (95% CI ${money(low)} to ${money(high)})`,
};

function money(x: number): string {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'undefined';
}

function fmtTime(t: number): string {
  return Number.isFinite(t) ? `${t.toFixed(3)} h` : 'unknown';
}

function fmtPct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'undefined';
}

/** A command-line usage problem (bad flag value): exit 2. */
export class UsageError extends Error {}

/** An error whose message is final and whose exit code is decided. */
export class ReportedError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Messages of `resim check` (gates and baseline regressions). */
export const checkMessages = {
  header: (scenario: string, gates: number, confidence: number, replications: number, seed: string) =>
    `${scenario}: ${gates} gate${gates === 1 ? '' : 's'} at ${confidenceText(confidence)} confidence on ${replications} replications (seed ${seed}); ` +
    `means: t-interval, quantiles: distribution-free order-statistic interval`,
  /** "PASS downtime_hours.mean <= 1.6: 0.41 h/yr, 95% CI [0.35, 0.47]" */
  gateLine: (verdict: 'pass' | 'fail' | 'inconclusive', name: string, detail: string) => `${VERDICT_WORD[verdict]} ${name}: ${detail}`,
  /** The statistic and its interval. */
  estimate: (estimate: number, unit: string, low: number, high: number, confidence: number) => {
    const digits = digitsFor(estimate, high - low);
    return `${shortNumber(estimate, digits)}${unitText(unit)}, ${confidenceText(confidence)} CI [${shortNumber(low, digits)}, ${shortNumber(high, digits)}]`;
  },
  failed: (side: 'above' | 'below', strict: boolean, threshold: number) =>
    `lies entirely ${strict ? 'at or ' : ''}${side} the threshold ${String(threshold)}`,
  straddles: (threshold: number) => `contains the threshold ${String(threshold)}`,
  settleWith: (total: number, now: number) => `about ${total.toLocaleString('en-US')} replications in all would settle it (${now.toLocaleString('en-US')} now)`,
  unbounded: (total: number, now: number) =>
    `the interval is unbounded with ${now.toLocaleString('en-US')} replications: at least ${total.toLocaleString('en-US')} are needed before it can settle`,
  equalsThreshold: () => 'the estimate equals the threshold: more replications cannot settle it',
  notDefined: (metric: string, replications: number) =>
    `${metric} is not defined in this run (a per-event ratio with no event in ${replications.toLocaleString('en-US')} replications); more replications may define it`,
  /** ci_low / ci_high gates compare the bound itself. */
  bound: (which: 'ci_low' | 'ci_high', bound: number, unit: string, mean: number, confidence: number) =>
    `${shortNumber(bound)}${unitText(unit)} (${which === 'ci_low' ? 'lower' : 'upper'} bound of the ${confidenceText(confidence)} CI of the mean ${shortNumber(mean)})`,
  boundFailed: (side: 'above' | 'below', strict: boolean, threshold: number) => `is ${strict ? 'at or ' : ''}${side} the threshold ${String(threshold)}`,
  boundMayCross: (total: number, now: number) =>
    `the mean is on the right side, so about ${total.toLocaleString('en-US')} replications in all would probably bring the bound across (${now.toLocaleString('en-US')} now)`,
  boundWontCross: () => 'the mean itself is not on the right side, so more replications will not help',
  summary: (scenario: string, passed: number, failed: number, inconclusive: number, regressions: number | null) =>
    `${scenario}: ${passed} passed, ${failed} failed, ${inconclusive} inconclusive` +
    (regressions === null ? '' : `, ${regressions} regression${regressions === 1 ? '' : 's'} against the baseline`),
  verdict: (verdict: 'pass' | 'fail' | 'inconclusive', exitCode: number) => `check: ${VERDICT_WORD[verdict]} (exit ${exitCode})`,
  noGates: () => 'no gates to check; add some, e.g. expect: ["downtime_hours.mean <= 1.6"]',
  notMeasured: (metric: string, measured: readonly string[]) => `${metric} is not measured by this scenario (it measures ${measured.join(', ')})`,
  statNotJudged: (stat: string, judged: readonly string[]) => `check does not judge .${stat} gates (it judges ${judged.join(', ')})`,
  quantileNotAvailable: (metric: string, stat: string) =>
    `${metric}.${stat} is not available: ${metric} is a ratio estimator over all replications together (summary.csv has no quantiles for it); gate its mean, ci_low or ci_high instead`,
  quantileUnderImportance: (metric: string, stat: string) =>
    `${metric}.${stat} is not available under importance sampling (simulation.method): it estimates means, not the distribution of a year's ${metric}; gate its mean, ci_low or ci_high, or set simulation.method: crude`,
  baselineMissing: (dir: string, what: string) => `--baseline ${dir}: ${what} (expected a results folder written by resim run or resim check)`,
  baselineOtherScenario: (dir: string, theirs: string, ours: string) =>
    `--baseline ${dir} holds results of scenario "${theirs}", not "${ours}" (run.json's scenario differs): a baseline must be an earlier run of the same scenario`,
  baselineOtherPoint: (dir: string, theirs: string, ours: string) =>
    `--baseline ${dir} holds results of sweep point ${theirs}, not ${ours} (run.json's sweep differs)`,
  baselineChanged: (dir: string, theirs: string, ours: string) =>
    `note: the scenario changed since the baseline ${dir} (scenario_hash ${theirs.slice(0, 12)} -> ${ours.slice(0, 12)}); the comparison includes that change`,
  baselineNotCompared: (metrics: readonly string[]) => `note: not compared (absent from the baseline or not estimable in one of the runs): ${metrics.join(', ')}`,
  /** One metric against the baseline; "REGRESSION ..." when significant. */
  comparison: (regression: boolean, metric: string, unit: string, current: number, baseline: number, worse: 'higher' | 'lower', p: number, adjusted: number, tests: number, alpha: number) =>
    `${regression ? 'REGRESSION' : 'OK'} ${metric}: mean ${shortNumber(current)}${unitText(unit)} now vs ${shortNumber(baseline)}${unitText(unit)} in the baseline (${worse} is worse); ` +
    `Welch one-sided p = ${pText(p)}, Holm-adjusted over ${tests} test${tests === 1 ? '' : 's'} ${pText(adjusted)} ${regression ? '<=' : '>'} ${pText(alpha)}`,
  baselineSummary: (dir: string, tests: number, regressions: number, confidence: number) =>
    `baseline ${dir}: ${tests} metric${tests === 1 ? '' : 's'} compared with Welch t-tests at ${confidenceText(confidence)} (Holm-adjusted): ` +
    (regressions === 0 ? 'no significant regression' : `${regressions} significant regression${regressions === 1 ? '' : 's'}`),
};

const VERDICT_WORD = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' } as const;

/**
 * Significant digits that show an interval's width to two digits (availability 0.99981 in
 * [0.99976, 0.99987], not 0.9998 in [0.9998, 0.9999]); at least 4, at most 10.
 */
function digitsFor(x: number, width: number): number {
  if (!(width > 0) || !Number.isFinite(width) || !Number.isFinite(x) || x === 0) return 4;
  const decimals = Math.ceil(-Math.log10(width)) + 1;
  return Math.min(10, Math.max(4, Math.floor(Math.log10(Math.abs(x))) + 1 + decimals));
}

/** "95%", "99.5%". */
function confidenceText(c: number): string {
  return `${Number((100 * c).toPrecision(6))}%`;
}

/** Units after a number; fractions, ratios and counts need none. */
function unitText(unit: string): string {
  return unit === 'fraction' || unit === 'ratio' || unit === 'count' || unit === '' ? '' : ` ${unit}`;
}

function pText(p: number): string {
  if (p === 0) return '0';
  if (p < 1e-300) return '< 1e-300';
  return p < 1e-3 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}
