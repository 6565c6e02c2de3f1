/**
 * `simulation.method`: which estimator a study runs, and the importance-sampling run itself.
 *
 *   crude       independent replications of the discrete-event model (the default);
 *   importance  balanced failure biasing on the Markov chain of an all-exponential facility
 *               (models/rare/importance.ts); a facility outside the Markov model is refused at
 *               prepare time with every reason, located (exit 2);
 *   auto        importance when the facility is Markovian and crude Monte Carlo would need more
 *               than precision.max_replications replications for the precision target (estimated
 *               from a coarse importance-sampling run: losses of rate nu and mean length d make
 *               one replication of H hours vary by about 2 nu d^2 / H); crude otherwise, with the
 *               reason in run.json.
 *
 * An importance-sampling study writes the same results folder: summary.csv rows for the facility
 * metrics with their intervals (n = biased cycles; std is the per-cycle standard deviation of the
 * linearised ratio estimator, so std / sqrt(n) is the standard error; quantile, min and max
 * columns are empty: there are no per-year values), a replications.csv with its header only, empty
 * incidents.csv and causes.csv, charts and report.html, and run.json with `method` and the
 * estimator's details.
 */
import { ExactRefusal, exploreChain } from '../models/exact/ctmc.js';
import { HOURS_PER_YEAR } from '../models/metrics.js';
import { importanceSampling, importanceSamplingAsync, type Estimate, type ImportanceResult } from '../models/rare/importance.js';
import { InputError, problemAt, type LoadedScenario } from '../models/scenario/index.js';
import { intervalRow, SUMMARY_COLUMNS, type SummaryRow } from '../models/summary.js';
import { normalQuantile } from '../sim/stats.js';
import { verdictOf, type Study, type StudyOutput } from './pipeline.js';
import { currentGuard, SIGNAL_EXIT } from './interrupt.js';
import { messages, ReportedError } from './messages.js';
import { VERSION } from './version.js';

export type Method = 'crude' | 'importance' | 'auto';

/** What a study will run, and why (for run.json and the terminal). */
export interface MethodChoice {
  method: 'crude' | 'importance';
  reason: string;
}

/** The default precision of an importance-sampling run without `simulation.precision`. */
export const DEFAULT_IMPORTANCE_TARGET = 0.1;

/** Refusals of the Markov model as located problems (for `method: importance`). */
export function markovProblems(loaded: LoadedScenario, facility: Study['config']['facility']): InputError | null {
  try {
    exploreChain(facility);
    return null;
  } catch (e) {
    if (e instanceof ExactRefusal) {
      return new InputError(e.refusals.map((r) => problemAt(loaded, r.path === '' ? 'simulation.method' : r.path, `simulation.method importance needs an all-exponential Markov model: ${r.message}`)));
    }
    throw e;
  }
}

const choices = new WeakMap<Study, MethodChoice>();

/** Resolves `auto` (once per study: the coarse pilot run is cached). */
export function chooseMethod(study: Study): MethodChoice {
  const known = choices.get(study);
  if (known) return known;
  const choice = decide(study);
  choices.set(study, choice);
  return choice;
}

function decide(study: Study): MethodChoice {
  if (study.method === 'crude') return { method: 'crude', reason: 'simulation.method: crude' };
  if (study.method === 'importance') return { method: 'importance', reason: 'simulation.method: importance' };
  if (!study.precision) return { method: 'crude', reason: 'auto: no precision target to judge the replications crude Monte Carlo needs' };
  try {
    exploreChain(study.config.facility);
  } catch (e) {
    if (e instanceof ExactRefusal) return { method: 'crude', reason: `auto: the facility is not a Markov model (${e.refusals[0]!.message})` };
    throw e;
  }
  let coarse: ImportanceResult;
  try {
    coarse = importanceSampling(study.config.facility, { seed: `${study.config.seed}/auto`, relativeHalfWidth: 0.3, maxSeconds: 5 });
  } catch (e) {
    if (e instanceof ExactRefusal) return { method: 'crude', reason: `auto: ${e.message}` };
    throw e;
  }
  const nu = coarse.incidentsPerYear.mean / HOURS_PER_YEAR;
  const u = coarse.unavailability.mean;
  if (!(nu > 0 && u > 0)) return { method: 'importance', reason: 'auto: the coarse importance-sampling run saw no loss; crude Monte Carlo would see none either' };
  const d = u / nu;
  const z = normalQuantile(0.5 + study.precision.confidence / 2);
  const relVarPerReplication = (2 * nu * d * d) / study.config.horizonHours / (u * u);
  const needed = Math.ceil((z / study.precision.relativeHalfWidth) ** 2 * relVarPerReplication);
  const max = study.precision.maxReplications;
  return needed > max
    ? { method: 'importance', reason: `auto: crude Monte Carlo would need about ${needed.toExponential(1)} replications for the target, more than max_replications ${max}` }
    : { method: 'crude', reason: `auto: crude Monte Carlo needs about ${needed.toExponential(1)} replications for the target, within max_replications ${max}` };
}

/**
 * Runs a study by importance sampling and shapes its results like a crude run's. A signal or the
 * --time-limit deadline (checked between batches of cycles) ends it with nothing written: the
 * run is not made of replications to keep, and starting it again costs what it had cost so far.
 */
export async function runImportance(study: Study, choice: MethodChoice): Promise<StudyOutput> {
  const guard = currentGuard();
  const stop = () => guard.signal.aborted || (guard.deadline !== undefined && Date.now() >= guard.deadline);
  const started = performance.now();
  const target = study.precision?.relativeHalfWidth ?? DEFAULT_IMPORTANCE_TARGET;
  const confidence = study.precision?.confidence ?? 0.95;
  let r: ImportanceResult;
  try {
    r = await importanceSamplingAsync(study.config.facility, { seed: study.config.seed, relativeHalfWidth: target, confidence }, stop);
  } catch (e) {
    // The one refusal left at run time: the paths discovered more states than the memory bound.
    if (e instanceof ExactRefusal) throw new ReportedError(`${study.loaded.file}: importance sampling stopped: ${e.message}`, 2);
    throw e;
  }
  if (r.stopped) {
    const sig = guard.caught();
    const by = sig ?? `the time limit (${guard.timeLimitText ?? '?'})`;
    throw new ReportedError(messages.importanceStopped(by, r.cycles), sig ? SIGNAL_EXIT[sig] : 2);
  }
  const rows = importanceRows(study, r);
  const wallSeconds = (performance.now() - started) / 1000;
  const run = {
    version: VERSION,
    scenario: study.config.scenario,
    scenario_hash: study.loaded.hash,
    seed: study.config.seed,
    method: 'importance',
    method_reason: choice.reason,
    replications: 0,
    horizon_hours: study.config.horizonHours,
    warmup_hours: study.config.warmupHours,
    workers: 1,
    wall_seconds: wallSeconds,
    events: 0,
    events_per_second: null,
    partial: false,
    precision: {
      metric: 'unavailability',
      target_relative_half_width: target,
      confidence,
      reached: r.reached,
      half_width: (r.unavailability.high - r.unavailability.low) / 2,
      relative_half_width: r.unavailability.relativeHalfWidth,
      checkpoints: [],
    },
    importance: {
      loss_unreachable: r.lossUnreachable,
      cycles: r.cycles,
      crude_cycles: r.crudeCycles,
      cycles_reaching_loss: r.hits,
      biasing: finite(r.biasing),
      pilot: r.pilot.map((p) => ({ biasing: p.biasing, relative_variance_per_step: finite(p.relativeVariancePerStep) })),
      steps: r.steps,
      states_visited: r.statesVisited,
      largest_weight_share: r.largestWeightShare,
    },
    exact: study.exact,
    tier: verdictOf(study, rows),
    ...(study.point ? { sweep: study.point } : {}),
  };
  return {
    rows,
    summaryColumns: SUMMARY_COLUMNS,
    summary: rows as unknown as StudyOutput['summary'],
    replicationColumns: ['replication', 'seed'],
    replications: [],
    incidents: [],
    causes: [],
    jobs: null,
    serverStarts: null,
    clusterTimeline: null,
    outcome: { replications: 0, columns: [], extras: [], events: 0, workers: 1, wallSeconds },
    run,
  };
}

/**
 * The facility metrics of summary.csv from the estimator. In a Markov model every loss is
 * unplanned and unpowered (no maintenance, no poor quality), so downtime, unplanned downtime and
 * outage hours are one estimate, and planned and dirty hours are 0.
 */
function importanceRows(study: Study, r: ImportanceResult): SummaryRow[] {
  const n = r.cycles;
  const z = normalQuantile(0.5 + r.confidence / 2);
  // std: the per-cycle standard deviation of the linearised estimator (std / sqrt(n) is its standard error).
  const row = (metric: string, unit: SummaryRow['unit'], e: Estimate): SummaryRow => intervalRow(metric, unit, e.mean, e.low, e.high, ((e.high - e.mean) / z) * Math.sqrt(n), n);
  const zero = (metric: string, unit: SummaryRow['unit']): SummaryRow => row(metric, unit, { mean: 0, low: 0, high: 0, relativeHalfWidth: Infinity });
  const scale = (e: Estimate, k: number, offset = 0): Estimate => ({ mean: offset + k * e.mean, low: offset + k * (k >= 0 ? e.low : e.high), high: offset + k * (k >= 0 ? e.high : e.low), relativeHalfWidth: e.relativeHalfWidth });
  const u = r.unavailability;
  const nu = r.incidentsPerYear;
  const rows: SummaryRow[] = [
    row('downtime_hours', 'h/yr', r.downtimeHoursPerYear),
    row('unplanned_downtime_hours', 'h/yr', r.downtimeHoursPerYear),
    zero('planned_downtime_hours', 'h/yr'),
    row('outage_hours', 'h/yr', r.downtimeHoursPerYear),
    zero('dirty_hours', 'h/yr'),
    row('availability', 'fraction', scale(u, -1, 1)),
    row('unavailability', 'fraction', u),
    row('incidents', '1/yr', nu),
    // Time in service and downtime per loss: ratios of the two estimates (delta method, treating
    // them as independent: a conservative interval, since they are positively correlated).
    ratioRow('mtbf_hours', scale(u, -HOURS_PER_YEAR, HOURS_PER_YEAR), nu, z, n),
    ratioRow('mttr_hours', r.downtimeHoursPerYear, nu, z, n),
  ];
  const cost = study.config.downtimeCostPerHour;
  if (study.scope.cost && cost !== null) rows.push(row('cost', 'currency/yr', scale(r.downtimeHoursPerYear, cost)));
  return rows;
}

function ratioRow(metric: string, num: Estimate, den: Estimate, z: number, n: number): SummaryRow {
  const mean = num.mean / den.mean;
  const rel = (e: Estimate) => (e.mean !== 0 ? (e.high - e.mean) / z / Math.abs(e.mean) : Infinity);
  const half = z * Math.abs(mean) * Math.sqrt(rel(num) ** 2 + rel(den) ** 2);
  return intervalRow(metric, 'h', mean, mean - half, mean + half, (half / z) * Math.sqrt(n), n);
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
